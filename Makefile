# xueji-audit — two commands on a fresh Debian machine: `make demo` and `make test`.
# Each installs what is missing (Debian packages, a .venv made with uv, the project editable with
# its test extras) and is quick when everything is already there.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(PYTHON) -m uv
OUT    ?= output
XA     := $(VENV)/bin/xueji-audit
DEMO_USER ?= 示范督查员
DEMO_PASSWORD ?= 示范密码-2026
# The demo's audit date: today, or early in a term the end of the previous one (read here, at
# the edge, and printed); give AS_OF=YYYY-MM-DD to choose another.
AS_OF  ?= $$($(PY) -c 'import datetime as d; from xueji_audit.demo import latest_demo_date as f; print(f(d.date.today()))')
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium

.PHONY: demo test notebooks-check serve lint system venv clean help

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
	rm -rf $(OUT)/示范数据 $(OUT)/工作区 $(OUT)/督查报告
	@set -e; as_of=$(AS_OF); echo "示范县督查基准日：$$as_of"; \
	$(XA) demo-data --out $(OUT)/示范数据 --as-of $$as_of; \
	$(XA) audit $(OUT)/示范数据 --workspace $(OUT)/工作区 --as-of $$as_of --user $(DEMO_USER); \
	$(PY) -c 'import sys; from xueji_audit.demo.organisation import set_demo_organisation as f; f(sys.argv[1])' $(OUT)/工作区; \
	$(XA) case open --workspace $(OUT)/工作区 --kind 核查 --title 身份证件号问题核查 --rule ID-01 --rule ID-02 --unit 清川县第一小学 --as-of $$as_of --user $(DEMO_USER); \
	$(XA) case open --workspace $(OUT)/工作区 --kind 督办 --title 学籍异动业务超期督办 --rule TR-01 --rule TR-02 --unit 清川县第二小学 --deadline 5 --as-of $$as_of --user $(DEMO_USER); \
	$(XA) forms --all-open --kind 核查单 --workspace $(OUT)/工作区 --as-of $$as_of --user $(DEMO_USER); \
	$(XA) bulletin --workspace $(OUT)/工作区; \
	$(XA) report all --workspace $(OUT)/工作区 --out $(OUT)/督查报告 --as-of $$as_of --user $(DEMO_USER)
	@echo "示范县数据：$(OUT)/示范数据    工作区：$(OUT)/工作区（督查结果/问题清单.csv 等、案件库、文书 forms/、月度通报/）"
	@echo "督查报告：$(OUT)/督查报告/（01–05 各一份 .html）"

serve: venv
	@set -e; as_of=$(AS_OF); \
	test -d $(OUT)/示范数据 || $(XA) demo-data --out $(OUT)/示范数据 --as-of $$as_of; \
	mkdir -p -m 700 $(OUT)/工作区; \
	$(XA) users list --workspace $(OUT)/工作区 | grep -q '^$(DEMO_USER)	' || \
	  echo '$(DEMO_PASSWORD)' | $(XA) users add $(DEMO_USER) --role 督查员 --workspace $(OUT)/工作区; \
	echo "示范账号：$(DEMO_USER)，密码：$(DEMO_PASSWORD)"; \
	$(XA) serve --workspace $(OUT)/工作区 --data $(OUT)/示范数据 --as-of $$as_of --user $(DEMO_USER)

lint: venv
	$(VENV)/bin/ruff check xueji_audit widgets tests benchmarks

# The committed notebooks run top to bottom (nbval) on a small demo workspace made for the run and
# named the way `serve` names it to its pages (XUEJI_WORKSPACE, XUEJI_AS_OF, XUEJI_USER).
NB_STUDENTS ?= 2000
test: venv lint
	$(VENV)/bin/pytest -q
	$(MAKE) --no-print-directory notebooks-check

notebooks-check: venv
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; as_of=$(AS_OF); \
	echo "笔记本检查：示范县 $(NB_STUDENTS) 人，督查基准日 $$as_of"; \
	{ $(XA) demo-data --out "$$tmp/示范数据" --students $(NB_STUDENTS) --seed 3 --as-of $$as_of && \
	  $(XA) audit "$$tmp/示范数据" --workspace "$$tmp/工作区" --as-of $$as_of --user 测试员; } \
	  >"$$tmp/准备.log" 2>&1 || { cat "$$tmp/准备.log"; exit 1; }; \
	XUEJI_WORKSPACE="$$tmp/工作区" XUEJI_AS_OF=$$as_of XUEJI_USER=测试员 \
	  $(VENV)/bin/pytest -q --nbval-lax notebooks/ -p no:cacheprovider

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache .hypothesis
