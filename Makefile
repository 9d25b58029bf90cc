# xueji-audit — two commands on a fresh Debian machine: `make demo` and `make test`.
# Each installs what is missing (Debian packages, a .venv made with uv, the project editable with
# its test extras) and is quick when everything is already there.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(PYTHON) -m uv
OUT    ?= output
AS_OF  ?= 2026-11-20
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium

.PHONY: demo test serve lint system venv clean help

help:
	@echo "make demo   生成示范县并运行完整督查，结果在 $(OUT)/"
	@echo "make test   运行全部测试"
	@echo "make serve  在本机启动浏览器应用（示范县数据），打开终端里打印的链接"

system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "缺少系统软件包:$$missing；请以 root 运行 apt-get install$$missing" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# uv comes from PyPI through the machine's own pip (Debian's python3 needs python3-pip and
# --break-system-packages for that); uv then makes the venv itself, no python3-venv needed.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || { \
	  $(PYTHON) -m pip --version >/dev/null 2>&1 || $(MAKE) --no-print-directory system APT_PACKAGES=python3-pip; \
	  $(PYTHON) -m pip install --quiet uv 2>/dev/null || $(PYTHON) -m pip install --quiet --break-system-packages uv; }
	@test -x $(PY) || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip install --quiet --python $(PY) -e '.[test]'
	@touch $@

venv: system $(VENV)/.installed

demo: venv
	rm -rf $(OUT)/demo-data $(OUT)/audit $(OUT)/reports $(OUT)/cases.db* $(OUT)/forms
	$(VENV)/bin/xueji-audit demo-data --out $(OUT)/demo-data --as-of $(AS_OF)
	$(VENV)/bin/xueji-audit audit $(OUT)/demo-data --out $(OUT)/audit --as-of $(AS_OF)
	$(VENV)/bin/xueji-audit case open --store $(OUT)/cases.db --kind 核查 --title 身份证件号问题核查 --findings $(OUT)/audit/findings.csv --rule ID-01 --rule ID-02 --unit 清川县教育体育局 --as-of $(AS_OF) --user 示范督查员
	$(VENV)/bin/xueji-audit forms --all-open --kind 核查单 --out $(OUT)/forms --store $(OUT)/cases.db --data $(OUT)/demo-data --as-of $(AS_OF) --user 示范督查员
	$(VENV)/bin/xueji-audit bulletin --data $(OUT)/demo-data --month 2026-10 --out $(OUT)/audit
	$(VENV)/bin/xueji-audit report all --data $(OUT)/demo-data --out $(OUT)/reports -p as_of=$(AS_OF) -p month=2026-10
	@echo "示范县数据：$(OUT)/demo-data    督查结果：$(OUT)/audit（findings.csv、rules_run.csv、rejects.csv、月度通报）"
	@echo "案件库：$(OUT)/cases.db    文书：$(OUT)/forms/（核查单 .docx/.pdf）"
	@echo "督查报告：$(OUT)/reports/（01–05 各一份 .html）"

APP_USER ?= 示范督查员

serve: venv
	@test -d $(OUT)/demo-data || $(VENV)/bin/xueji-audit demo-data --out $(OUT)/demo-data --as-of $(AS_OF)
	$(VENV)/bin/xueji-audit serve --workspace $(OUT)/workspace --data $(OUT)/demo-data --as-of $(AS_OF) --user $(APP_USER)

lint: venv
	$(VENV)/bin/ruff check xueji_audit widgets tests benchmarks

test: venv lint
	$(VENV)/bin/pytest -q
	$(VENV)/bin/pytest -q --nbval-lax notebooks/ -p no:cacheprovider

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache .hypothesis
