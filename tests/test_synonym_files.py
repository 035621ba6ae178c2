"""Synonym files: what a line means, what is ignored, and errors that name the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frsearch.errors import FrsearchError
from frsearch.synonyms import BUILTIN_GROUPS, SynonymError, load_synonyms, parse_synonyms

README = Path(__file__).resolve().parent.parent / "README.md"


def test_each_line_is_a_group_of_variants_as_index_terms():
    synonyms = parse_synonyms("visioconférence, vidéoconférence\nÉtats-Unis, USA, Amérique\n")
    group = (("visioconferent",), ("videoconferent",))
    assert synonyms.variants(("visioconferent",)) == group
    assert synonyms.variants(("videoconferent",)) == group
    # a variant of several words is the sequence of its terms: matched as a phrase
    americas = (("etat", "unis"), ("usa",), ("amer",))
    assert synonyms.variants(("etat", "unis")) == americas
    assert synonyms.variants(("amer",)) == americas
    assert synonyms.variants(("russ",)) == ()


def test_case_accents_hyphens_and_inflection_do_not_matter():
    written = parse_synonyms("États-Unis, USA\nvisioconférences, vidéoconférence\n")
    typed = parse_synonyms("etats unis, usa\nVISIOCONFERENCE, videoconferences\n")
    assert written == typed


def test_comments_and_blank_lines_are_ignored():
    text = ("# Ukraine's capital, in French and in Ukrainian\n"
            "\n"
            "   \t\n"
            "Kiev, Kyiv  # the name the Ukrainian government asks for\n"
            "# Poutine, Putin\n")
    synonyms = parse_synonyms(text)
    assert synonyms.groups == {("kiev",): (("kiev",), ("kyiv",)),
                               ("kyiv",): (("kiev",), ("kyiv",))}


def test_a_variant_written_twice_in_its_group_counts_once():
    synonyms = parse_synonyms("Kiev, Kyiv, Kyïv, KIEV\n")
    assert synonyms.variants(("kiev",)) == (("kiev",), ("kyiv",))


@pytest.mark.parametrize(("line", "why"), [
    ("Kiev", "one variant"),
    ("Kiev; Kyiv", "a semicolon is no separator: one variant"),
    ("Kyiv, Kyïv", "the same terms once accents are folded"),
    ("le, la, les", "stop words only: no terms"),
    ("Kiev, 😀", "an emoji has no terms"),
    (",,", "nothing between the commas"),
])
def test_a_line_that_is_no_group_is_an_error_naming_its_line(line, why):
    text = f"# groupes de la rédaction\n\nOTAN, NATO\n{line}\nPékin, Beijing\n"
    with pytest.raises(SynonymError, match=r"^rédaction\.txt:4: a group needs two variants"):
        parse_synonyms(text, "rédaction.txt")


def test_synonym_error_is_a_library_error_and_a_value_error():
    with pytest.raises(FrsearchError):
        parse_synonyms("Kiev\n")
    with pytest.raises(ValueError):
        parse_synonyms("Kiev\n")


def test_a_windows_file_with_bom_and_crlf_reads_as_any_other(tmp_path):
    path = tmp_path / "variantes.txt"
    path.write_bytes("\ufeff# Notepad\r\nvisioconférence, vidéoconférence\r\n".encode())
    synonyms = load_synonyms(path, builtin=False)
    assert synonyms == parse_synonyms("visioconférence, vidéoconférence\n")


def test_a_file_that_is_not_utf8_or_missing_is_an_error_saying_so(tmp_path):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("visioconférence, vidéoconférence\n".encode("latin-1"))
    with pytest.raises(SynonymError, match=r"cannot read synonym file .*latin1\.txt: not UTF-8"):
        load_synonyms(latin)
    with pytest.raises(SynonymError, match=r"cannot read synonym file .*absent\.txt"):
        load_synonyms(tmp_path / "absent.txt")


def test_a_file_adds_its_groups_to_the_built_in_ones(tmp_path):
    path = tmp_path / "variantes.txt"
    path.write_text("visioconférence, vidéoconférence\nKyiv, Kiyv\n", encoding="utf-8")
    synonyms = load_synonyms(path)
    assert synonyms.variants(("otan",)) == (("otan",), ("nato",))  # built-in, untouched
    assert synonyms.variants(("visioconferent",)) == (("visioconferent",), ("videoconferent",))
    # a built-in variant joins its built-in group to the file's
    for variant in ("kiev", "kyiv", "kiyv"):
        assert synonyms.variants((variant,)) == (("kiev",), ("kyiv",), ("kiyv",))


def test_the_built_in_groups_are_the_ten_the_readme_lists():
    builtin = [line for line in BUILTIN_GROUPS.splitlines()
               if line.strip() and not line.startswith("#")]
    assert len(builtin) == 10
    parsed = load_synonyms()
    assert len(set(parsed.groups.values())) == 10  # no two lines share a variant
    section = re.search(r"^## Synonyms\n(.*?)^## ", README.read_text(encoding="utf-8"),
                        re.MULTILINE | re.DOTALL).group(1)
    listed = set(section.splitlines())
    assert [line for line in builtin if line not in listed] == []
