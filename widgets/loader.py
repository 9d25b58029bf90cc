"""数据导入: upload export files or name a data folder, load and audit them, show the report."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from xueji_audit.app.config import AppConfig
from xueji_audit.app.display import message_html
from xueji_audit.app.loader import rejects_html, summary_html, summary_line, upload_files
from xueji_audit.app.session import Session
from xueji_audit.errors import XuejiError
from xueji_audit.workspace.manifest import workspace_data_dir

from .common import Message, ProgressPanel, RevealSwitch

PAGE = "数据导入"
REJECTS_SHOWN = 200


class DataLoader(w.VBox):
    """Upload files (:attr:`upload`, :attr:`load_upload`) or read a folder (:attr:`folder`,
    :attr:`load_folder`); then :attr:`summary` (counts, per-sheet report, findings per
    severity) and :attr:`rejects` (masked unless :attr:`reveal`). ``on_loaded(session)`` is
    called after each successful load; :attr:`session` is None until data is loaded."""

    def __init__(self, config: AppConfig, on_loaded: Callable[[Session], None] | None = None):
        self.config, self.on_loaded = config, on_loaded
        self.session: Session | None = None
        self.upload = w.FileUpload(accept=".xlsx,.xls,.csv", multiple=True,
                                   description="选择导出文件", layout=w.Layout(width="160px"),
                                   tooltip="选择学籍系统导出的 Excel 或 CSV 文件（可多选）")
        self.load_upload = w.Button(description="上传并督查", button_style="primary",
                                    icon="upload", layout=w.Layout(width="140px"))
        self.folder = w.Text(value="", placeholder="数据文件夹路径，如 D:/学籍导出/2026秋",
                             layout=w.Layout(width="460px"))
        self.load_folder = w.Button(description="读取文件夹并督查", icon="folder-open",
                                    layout=w.Layout(width="160px"))
        self.progress = ProgressPanel()
        self.message = Message()
        self.summary = w.HTML(layout=w.Layout(width="100%"))
        self.rejects = w.HTML(layout=w.Layout(width="100%"))
        # the switch exists from the start (its place on the page is stable) and is enabled
        # once a session exists: each load hands it the new session
        self.reveal = RevealSwitch(None, PAGE)
        self.reveal.disabled = True
        self.reveal.observe(self._show_rejects, names="value")
        self.load_upload.on_click(self._on_upload)
        self.load_folder.on_click(self._on_folder)
        hint = w.HTML(message_html("可一次选择多个文件（.xlsx、.xls、.csv）；"
                                   "或填写服务器上的数据文件夹路径。", "note"))
        super().__init__([
            w.HBox([w.Label("上传文件：", layout=w.Layout(width="90px")), self.upload,
                    self.load_upload]),
            w.HBox([w.Label("数据文件夹：", layout=w.Layout(width="90px")), self.folder,
                    self.load_folder]),
            hint, self.progress, self.message, self.summary, self.reveal, self.rejects,
        ], layout=w.Layout(width="100%", max_width="1320px"))
        try:
            saved = Session.open(config)
        except XuejiError as exc:  # e.g. the data files changed: offer to audit them again
            saved = None
            self.message.error(str(exc))
            self.folder.value = workspace_data_dir(config.workspace)
        if saved is not None:
            self._show(saved)
            self.folder.value = saved.data_dir if "uploads" not in Path(saved.data_dir).parts \
                else ""
            self.message.note(f"已打开工作区中的督查结果（{summary_line(saved)}）；"
                              "重新导入将替换这些数据。")

    @property
    def buttons(self) -> tuple[w.Button, w.Button]:
        return self.load_upload, self.load_folder

    def _on_upload(self, _=None) -> None:
        files = upload_files(self.upload.value)
        if not files:
            self.message.error("没有选择文件：请先点「选择导出文件」选择学籍系统导出的文件。")
            return
        self._load(lambda: Session.from_uploads(self.config, files, self.progress.update),
                   f"上传的 {len(files)} 个文件")

    def _on_folder(self, _=None) -> None:
        folder = self.folder.value.strip()
        if not folder:
            self.message.error("请填写数据文件夹路径。")
            return
        self._load(lambda: Session.build(self.config, folder, self.progress.update),
                   f"文件夹「{folder}」")

    def _load(self, build: Callable[[], Session], what: str) -> None:
        """Run ``build`` with the buttons disabled; show the result or the error."""
        self.message.note(f"正在读取{what}并运行督查规则，请稍候…")
        for b in self.buttons:
            b.disabled = True
        self.progress.update(0.0, "开始读取…")
        try:
            session = self.message.guard(build)
        except OSError as exc:
            self.message.error(f"操作未完成：无法读取或写入文件（{exc.strerror or exc}）。")
            session = None
        finally:
            for b in self.buttons:
                b.disabled = False
        if session is None:
            self.progress.done("未完成。")
            return
        self._show(session)
        self.progress.done("完成。")
        self.message.ok(f"导入完成：{summary_line(session)}。")
        if self.on_loaded is not None:
            self.on_loaded(session)

    def _show(self, session: Session) -> None:
        """Make ``session`` current: the summary, the rejects (masked) and the switch."""
        old, self.session = self.session, session
        self.reveal.value = False  # unticking logs nothing; a new load starts masked
        self.reveal.session = session
        self.reveal.disabled = False
        if old is not None and old is not session:
            old.close()
        self.summary.value = summary_html(session)
        self._show_rejects()

    def _show_rejects(self, _=None) -> None:
        if self.session is None:
            self.rejects.value = ""
            return
        self.rejects.value = rejects_html(self.session.loaded, bool(self.reveal.value),
                                          REJECTS_SHOWN)
