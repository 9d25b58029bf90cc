"""The case store's schema as numbered migrations (never edit one that has shipped; add one).

Version 1: cases, their findings and duplicate pairs, history. Version 2: findings' 整改状态, pair
decisions, access log, audit runs; history is append-only, nothing is deleted, and a case's status
/ unit / note or a finding's 整改状态 changes only when the latest history row records the new
value. Version 3: the real time of each history and access-log row (:data:`NOW`). Version 4:
``cases.version`` (optimistic concurrency), raised by every history row of the case. Version 5:
allowed status moves (:data:`ALLOWED_MOVES`), 交办 only with a unit, and every table that matters
append-only. Version 6: the unit's reply per child (``child_items``, ``replies``, ``evidence``).
"""
from __future__ import annotations

_V1 = (
    """CREATE TABLE cases (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('核查', '督办', '报告', '排查', '复学通知')),
        title TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT '立案'
            CHECK (status IN ('立案', '交办', '核查中', '督办', '办结', '撤销')),
        unit TEXT NOT NULL DEFAULT '',
        opened_by TEXT NOT NULL,
        opened_on TEXT NOT NULL,
        deadline_workdays INTEGER NOT NULL CHECK (deadline_workdays >= 0),
        deadline TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE case_findings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        rule_id TEXT NOT NULL, rule_name TEXT, severity TEXT,
        xjh TEXT NOT NULL DEFAULT '', name TEXT, school TEXT NOT NULL DEFAULT '',
        business_no TEXT NOT NULL DEFAULT '', class TEXT NOT NULL DEFAULT '',
        detail TEXT, basis TEXT, due_date TEXT,
        UNIQUE (case_id, rule_id, xjh, business_no, school, class))""",
    """CREATE TABLE case_pairs (
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        xjh_a TEXT NOT NULL, xjh_b TEXT NOT NULL CHECK (xjh_a < xjh_b),
        PRIMARY KEY (case_id, xjh_a, xjh_b))""",
    """CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
        entity TEXT NOT NULL, entity_key TEXT NOT NULL DEFAULT '',
        field TEXT NOT NULL, old TEXT, new TEXT, note TEXT NOT NULL DEFAULT '',
        user TEXT NOT NULL, at TEXT NOT NULL)""",
    "CREATE INDEX history_case ON history(case_id)",
)

_V2 = (
    "ALTER TABLE case_findings ADD COLUMN state TEXT NOT NULL DEFAULT '未整改' "
    "CHECK (state IN ('未整改', '已整改'))",
    "ALTER TABLE case_findings ADD COLUMN state_on TEXT",
    "CREATE INDEX case_findings_identity ON case_findings(rule_id, xjh, business_no, school, class)",
    """CREATE TABLE pair_decisions (
        xjh_a TEXT NOT NULL, xjh_b TEXT NOT NULL CHECK (xjh_a < xjh_b),
        accept INTEGER NOT NULL CHECK (accept IN (0, 1)),
        decided_by TEXT NOT NULL, decided_on TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (xjh_a, xjh_b))""",
    """CREATE TABLE access_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        action TEXT NOT NULL, case_id INTEGER REFERENCES cases(id) ON DELETE RESTRICT,
        user TEXT NOT NULL, at TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE audit_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, run_at TEXT NOT NULL, user TEXT NOT NULL,
        findings INTEGER NOT NULL, resolved INTEGER NOT NULL, reopened INTEGER NOT NULL)""",
)


def _logged(table: str, column: str, when: str, key: str, field: str) -> str:
    """A trigger refusing an UPDATE of ``column`` unless the latest history row of that
    (case, entity key, field) already records the new value: no change without history."""
    return (f"CREATE TRIGGER {table}_{column}_logged BEFORE UPDATE OF {column} ON {table} "
            f"WHEN OLD.{column} IS NOT NEW.{column} AND NOT EXISTS (SELECT 1 FROM history h "
            f"WHERE h.id = (SELECT MAX(id) FROM history WHERE case_id = {when} "
            f"AND entity_key = {key} AND field = '{field}') AND h.new IS NEW.{column}) "
            f"BEGIN SELECT RAISE(ABORT, '未写变更历史的修改被拒绝'); END")


_FINDING_KEY = ("NEW.rule_id || '|' || NEW.xjh || '|' || NEW.business_no || '|' || NEW.school "
                "|| '|' || NEW.class")
_V2 += (
    _logged("cases", "status", "NEW.id", "CAST(NEW.id AS TEXT)", "status"),
    _logged("cases", "unit", "NEW.id", "CAST(NEW.id AS TEXT)", "unit"),
    _logged("cases", "note", "NEW.id", "CAST(NEW.id AS TEXT)", "note"),
    _logged("case_findings", "state", "NEW.case_id", _FINDING_KEY, "整改状态"),
    "CREATE TRIGGER cases_fixed BEFORE UPDATE OF kind, opened_by, opened_on, deadline_workdays, "
    "deadline ON cases BEGIN SELECT RAISE(ABORT, '立案信息不可修改'); END",
    *(f"CREATE TRIGGER {t}_kept BEFORE DELETE ON {t} "
      f"BEGIN SELECT RAISE(ABORT, '案件库中的记录不可删除'); END"
      for t in ("cases", "case_findings", "case_pairs", "access_log")),
    "CREATE TRIGGER history_append_only BEFORE UPDATE ON history "
    "BEGIN SELECT RAISE(ABORT, '变更历史不可修改'); END",
    "CREATE TRIGGER history_kept BEFORE DELETE ON history "
    "BEGIN SELECT RAISE(ABORT, '变更历史不可删除'); END",
)

NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
"""SQL for the real time (UTC) of a write, as the database sees it: history and access-log rows
carry it beside the business date the user gave (``at``); the kit itself never reads the clock."""
_V3 = tuple(
    stmt for table in ("history", "access_log") for stmt in (
        f"ALTER TABLE {table} ADD COLUMN recorded_at TEXT",
        f"CREATE TRIGGER {table}_recorded BEFORE INSERT ON {table} WHEN NEW.recorded_at IS NULL "
        f"BEGIN SELECT RAISE(ABORT, '未记录实际操作时间的写入被拒绝'); END",
    )
)

_V4 = (
    "ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
    "UPDATE cases SET version = (SELECT COUNT(*) FROM history h WHERE h.case_id = cases.id)",
    "CREATE TRIGGER history_bumps_case_version AFTER INSERT ON history "
    "WHEN NEW.case_id IS NOT NULL "
    "BEGIN UPDATE cases SET version = version + 1 WHERE id = NEW.case_id; END",
    "CREATE TRIGGER cases_version_forward BEFORE UPDATE OF version ON cases "
    "WHEN NEW.version IS NOT OLD.version + 1 "
    "BEGIN SELECT RAISE(ABORT, '案件版本只能逐次递增'); END",
)

ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    "立案": ("交办", "撤销"), "交办": ("核查中", "督办", "撤销"), "核查中": ("督办", "办结", "撤销"),
    "督办": ("办结", "撤销"), "办结": (), "撤销": (),
}
"""Allowed status changes (forward along 立案 → 交办 → 核查中 → 督办 → 办结, or 撤销 while open;
a case 交办 but overdue may go straight to 督办; one settled without escalation goes 核查中 → 办结).
The store checks them with a message; the database refuses anything else (migration 5)."""
_MOVES_SQL = ", ".join(f"'{a}>{b}'" for a, bs in ALLOWED_MOVES.items() for b in bs)
_FINDING_CONTENT = ("case_id", "rule_id", "rule_name", "severity", "xjh", "name", "school",
                    "business_no", "class", "detail", "basis", "due_date")


def _joins_logged(table: str, field: str, what: str) -> str:
    """Rows join an existing case (one whose history has begun) only right after a history
    row of that case recording ``field``."""
    return (f"CREATE TRIGGER {table}_join_logged BEFORE INSERT ON {table} "
            f"WHEN (SELECT version FROM cases WHERE id = NEW.case_id) > 0 AND NOT EXISTS ("
            f"SELECT 1 FROM history h WHERE h.id = (SELECT MAX(id) FROM history "
            f"WHERE case_id = NEW.case_id) AND h.field = '{field}') "
            f"BEGIN SELECT RAISE(ABORT, '未写变更历史的{what}被拒绝'); END")


_PAIR_LOGGED = (
    "NOT EXISTS (SELECT 1 FROM history h WHERE h.id = (SELECT MAX(id) FROM history "
    "WHERE entity = 'pair' AND entity_key = NEW.xjh_a || '|' || NEW.xjh_b AND field = '决定') "
    "AND h.new IS (CASE NEW.accept WHEN 1 THEN '接受' ELSE '排除' END) "
    "AND h.user IS NEW.decided_by AND h.at IS NEW.decided_on AND h.note IS NEW.note)")
_V5 = (
    "CREATE TRIGGER cases_status_moves BEFORE UPDATE OF status ON cases "
    f"WHEN OLD.status IS NOT NEW.status AND OLD.status || '>' || NEW.status NOT IN ({_MOVES_SQL}) "
    "BEGIN SELECT RAISE(ABORT, '不允许的案件状态变更'); END",
    "CREATE TRIGGER cases_assigned_needs_unit BEFORE UPDATE OF status ON cases "
    "WHEN NEW.status = '交办' AND TRIM(NEW.unit) = '' "
    "BEGIN SELECT RAISE(ABORT, '交办须指定承办单位'); END",
    _logged("cases", "title", "NEW.id", "CAST(NEW.id AS TEXT)", "title"),
    f"CREATE TRIGGER case_findings_fixed BEFORE UPDATE OF {', '.join(_FINDING_CONTENT)} "
    "ON case_findings BEGIN SELECT RAISE(ABORT, '案件中的问题内容不可修改'); END",
    "CREATE TRIGGER case_findings_state_on BEFORE UPDATE OF state_on ON case_findings "
    "WHEN NEW.state IS OLD.state AND NEW.state_on IS NOT OLD.state_on "
    "BEGIN SELECT RAISE(ABORT, '未写变更历史的修改被拒绝'); END",
    "CREATE TRIGGER case_pairs_fixed BEFORE UPDATE ON case_pairs "
    "BEGIN SELECT RAISE(ABORT, '案件中的疑似重复对不可修改'); END",
    _joins_logged("case_findings", "问题", "追加问题"),
    _joins_logged("case_pairs", "疑似重复对", "追加疑似重复对"),
    "CREATE TRIGGER access_log_append_only BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, '访问日志不可修改'); END",
    "CREATE TRIGGER pair_decisions_kept BEFORE DELETE ON pair_decisions "
    "BEGIN SELECT RAISE(ABORT, '重复对认定不可删除'); END",
    f"CREATE TRIGGER pair_decisions_insert_logged BEFORE INSERT ON pair_decisions WHEN {_PAIR_LOGGED} "
    "BEGIN SELECT RAISE(ABORT, '未写变更历史的认定被拒绝'); END",
    f"CREATE TRIGGER pair_decisions_update_logged BEFORE UPDATE ON pair_decisions WHEN {_PAIR_LOGGED} "
    "BEGIN SELECT RAISE(ABORT, '未写变更历史的认定被拒绝'); END",
)

ITEM_STATES: tuple[str, ...] = ("办理中", "已答复", "已办结", "已退回")
"""A child's item in a case: the unit is working on it, has answered (marked done), the
inspector accepted it (办结) or returned it (reopened for the unit)."""
_V6 = (
    """CREATE TABLE child_items (
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        child TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('办理中', '已答复', '已办结', '已退回')),
        PRIMARY KEY (case_id, child))""",
    """CREATE TABLE replies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE RESTRICT,
        child TEXT NOT NULL, verified TEXT NOT NULL DEFAULT '', handled TEXT NOT NULL DEFAULT '',
        unit TEXT NOT NULL DEFAULT '', done INTEGER NOT NULL CHECK (done IN (0, 1)),
        user TEXT NOT NULL, at TEXT NOT NULL, recorded_at TEXT NOT NULL)""",
    """CREATE TABLE evidence (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        reply_id INTEGER NOT NULL REFERENCES replies(id) ON DELETE RESTRICT,
        name TEXT NOT NULL, sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        size INTEGER NOT NULL, stored TEXT NOT NULL)""",
    "CREATE INDEX replies_case ON replies(case_id, child)",
    _logged("child_items", "state", "NEW.case_id", "NEW.child", "办理状态"),
    "CREATE TRIGGER child_items_insert_logged BEFORE INSERT ON child_items WHEN NOT EXISTS ("
    "SELECT 1 FROM history h WHERE h.id = (SELECT MAX(id) FROM history WHERE case_id = "
    "NEW.case_id AND entity_key = NEW.child AND field = '办理状态') AND h.new IS NEW.state) "
    "BEGIN SELECT RAISE(ABORT, '未写变更历史的修改被拒绝'); END",
    "CREATE TRIGGER child_items_fixed BEFORE UPDATE OF case_id, child ON child_items "
    "BEGIN SELECT RAISE(ABORT, '案件中的学生事项不可改换'); END",
    *(stmt for t, what in (("replies", "答复"), ("evidence", "佐证材料"), ("child_items", "学生事项"))
      for stmt in (
          *((f"CREATE TRIGGER {t}_append_only BEFORE UPDATE ON {t} "
             f"BEGIN SELECT RAISE(ABORT, '{what}不可修改'); END",) if t != "child_items" else ()),
          f"CREATE TRIGGER {t}_kept BEFORE DELETE ON {t} "
          f"BEGIN SELECT RAISE(ABORT, '{what}不可删除'); END")),
)

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "案件、问题、疑似重复对与变更历史", _V1),
    (2, "问题整改状态、重复对认定、访问日志与督查运行记录", _V2),
    (3, "变更历史与访问日志记录实际操作时间", _V3),
    (4, "案件版本号（防止并发覆盖）", _V4),
    (5, "状态流转、交办单位与各表只增不改由数据库强制", _V5),
    (6, "承办单位逐生答复、佐证材料与核查人审核", _V6),
)
"""(version, Chinese description, statements) in order; never edit one that has shipped."""

SCHEMA_VERSION = MIGRATIONS[-1][0]
