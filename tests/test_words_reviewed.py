"""Words a hostile reviewer found wrong on the demo ledger (issue 30), each in both languages.

The CLI's own refusals in the language asked for (--lang before the command, too), with Chinese punctuation in
Chinese lines; the web view's pages, refusals and guards in the page's language; the 台账's 销号情况 and the
listed choices in the vocabulary's words.
"""

from __future__ import annotations

import pytest

from conftest import run_executable

pytestmark = pytest.mark.language


def _stderr(result) -> str:
    return result.stderr if hasattr(result, "stderr") else result.output


# -- the CLI: --lang before click's own errors; Chinese punctuation in Chinese lines ------------------------


@pytest.mark.parametrize("argv, english, chinese", [
    (["--lang", "en", "nope"], "ledger: error: No such command 'nope'. (see `ledger --help`)", None),
    (["--lang=en", "nope"], "ledger: error: No such command 'nope'. (see `ledger --help`)", None),
    (["--lang", "zh", "nope"], None, "ledger: 错误: 没有这个命令 'nope'。（见 `ledger --help`）"),
])
def test_the_lang_option_is_honoured_for_clicks_own_errors(tmp_path, monkeypatch, argv, english, chinese):
    """`ledger --lang en nope` answered in Chinese: click refuses the command before the group's --lang is read."""
    for env_lang in ("zh", "en"):  # the option wins over LEDGER_LANG either way
        result = run_executable(*argv, cwd=tmp_path, env={"LEDGER_LANG": env_lang})
        assert result.returncode == 2
        assert result.stderr.strip() == (english or chinese), (env_lang, result.stderr)


def test_clicks_framing_has_chinese_punctuation_in_chinese_and_english_in_english(inspected, monkeypatch):
    """`缺少选项 '--level'.（见`, `缺少参数 'ID'.（见` and `'--bogus'。 是否要用 '--out', '--round'` were seen."""
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    cases = [
        (["escalate", "XC2019-1-1"], "缺少选项 '--level'。（见 `ledger escalate --help`）",
         "Missing option '--level'. (see `ledger escalate --help`)"),
        (["show"], "缺少参数 'ID'。（见 `ledger show --help`）", "Missing argument 'ID'. (see `ledger show --help`)"),
        (["status", "--bogu"], "没有这个选项 '--bogu'。是否要用 '--out' 或 '--round'？（见 `ledger status --help`）",
         "No such option '--bogu'. Did you mean '--out' or '--round'? (see `ledger status --help`)"),
        (["status", "--inpsection", "X"], "没有这个选项 '--inpsection'。是否要用 '--inspection'？（见",
         "No such option '--inpsection'. Did you mean '--inspection'? (see"),
    ]
    for argv, chinese, english in cases:
        zh = inspected(*argv, expect=2).stderr.strip().replace("`cli ", "`ledger ")  # CliRunner's name
        assert zh.startswith("ledger: 错误: ") and chinese in zh, zh
        assert ".（" not in zh and "。 " not in zh and "', '" not in zh, zh
        en = inspected("--lang", "en", *argv, expect=2).stderr.strip().replace("`cli ", "`ledger ")
        assert en.startswith("ledger: error: ") and english in en, en
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in en), en
