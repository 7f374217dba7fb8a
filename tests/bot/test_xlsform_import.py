"""`sauti survey import`: XLSForms from the field become surveys that run in chat; forms Sauti
cannot render come back with every problem at its sheet, row and column."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from bot.records.xlsform_files import import_workbook
from dialogues import QuestionKind, parse
from tests.kit.xlsforms import (
    BROKEN_FORM,
    CASCADE_FORM,
    MARKET_FORM,
    WATER_FORM,
    Rows,
    workbook_bytes,
)

REPO = Path(__file__).resolve().parents[2]


def _sauti(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def _write(tmp_path: Path, name: str, form: Mapping[str, Rows]) -> Path:
    path = tmp_path / name
    path.write_bytes(workbook_bytes(form))
    return path


def test_a_kobo_form_in_three_languages_imports_and_runs_to_the_end_in_french(
    tmp_path: Path,
) -> None:
    form = _write(tmp_path, "water.xlsx", WATER_FORM)
    out = tmp_path / "water.yaml"
    imported = _sauti("survey", "import", str(form), "-o", str(out))
    assert imported.returncode == 0, imported.stderr
    assert "7 questions, en, fr, sw" in imported.stdout
    # Device metadata is left out, said once per row; the constraint message is used.
    assert "'deviceid' is device metadata: Sauti does not collect it" in imported.stderr
    assert "constraint_message" not in imported.stderr

    # Yes to the first question; 25 trips (too many), then 3; ticks "long queues"; 4 on the
    # scale; the fee.
    answers = "oui\n25\n3\n1\n4\n2\n"
    chat = _sauti("survey", "chat", str(out), "--lang", "fr", stdin=answers)
    assert chat.returncode == 0, chat.stderr
    text = chat.stdout
    assert "Merci de nous aider" in text  # the note
    assert "! Entre 0 et 20." in text  # the form's own constraint message, in French
    assert "Veuillez répondre avec un nombre" not in text  # instead of Sauti's
    assert "Répondez 0 si aucun." in text  # the hint, under its question
    assert "Pas du tout" in text  # the range's end labels
    assert "Très" in text
    assert "Pourquoi votre foyer" not in text  # relevant only to those who said no
    assert "Combien devrait coûter un bidon ?" in text
    assert "trial run over" in text


def test_the_form_s_limits_become_the_questions_limits() -> None:
    result = import_workbook(workbook_bytes(WATER_FORM))
    assert result.problems == ()
    survey = result.survey
    assert survey is not None
    by_id = {str(q.id): q for q in survey.questions}
    assert (by_id["trips"].min_value, by_id["trips"].max_value) == (0, 20)
    assert by_id["problems"].max_selections == 2
    assert by_id["problems"].optional  # XLSForm questions are optional unless required
    assert by_id["uses_point"].kind is QuestionKind.YES_NO
    assert (by_id["satisfaction"].kind, by_id["satisfaction"].max_value) == (QuestionKind.SCALE, 5)
    assert by_id["why_not"].max_length == 300
    # The group's relevant is joined to each of its questions'.
    assert by_id["trips"].relevant == by_id["problems"].relevant is not None


def test_a_cascading_select_asks_the_counties_of_the_state_chosen(tmp_path: Path) -> None:
    form = _write(tmp_path, "wells.xlsx", CASCADE_FORM)
    out = tmp_path / "wells.yaml"
    imported = _sauti("survey", "import", str(form), "-o", str(out))
    assert imported.returncode == 0, imported.stderr
    west = _sauti("survey", "chat", str(out), "--lang", "sw", stdin="1\n1\n3\n")
    assert west.returncode == 0, west.stderr
    assert "Kisumu" in west.stdout
    assert "Mombasa" not in west.stdout  # only the west's counties are offered
    assert "Visima vingapi" in west.stdout  # asked because the county is Kisumu
    assert "trial run over" in west.stdout
    coast = _sauti("survey", "chat", str(out), "--lang", "sw", stdin="2\n1\n")
    assert "Mombasa" in coast.stdout
    assert "Kisumu" not in coast.stdout
    assert "Visima vingapi" not in coast.stdout
    assert "trial run over" in coast.stdout


def test_a_filter_sauti_cannot_ask_is_located() -> None:
    survey = [dict(row) for row in CASCADE_FORM["survey"]]
    survey[2]["relevant"] = "${county} > 2"
    result = import_workbook(workbook_bytes({**CASCADE_FORM, "survey": survey}))
    assert [str(p) for p in result.problems] == [
        "sheet 'survey', row 4, column 'relevant': 'county' offers its choices by an earlier "
        "answer: test it with = or selected() only",
    ]
    survey[1]["choice_filter"] = "state=${state} or state='coast'"
    result = import_workbook(workbook_bytes({**CASCADE_FORM, "survey": survey}))
    assert str(result.problems[0]) == (
        "sheet 'survey', row 3, column 'choice_filter': Sauti can filter choices only by one "
        "earlier answer, like state = ${state}; \"state=${state} or state='coast'\" is not that"
    )


def test_a_one_language_odk_form_is_taken_as_english_and_says_so(tmp_path: Path) -> None:
    form = _write(tmp_path, "market.xlsx", MARKET_FORM)
    out = tmp_path / "market.yaml"
    imported = _sauti("survey", "import", str(form), "-o", str(out))
    assert imported.returncode == 0, imported.stderr
    assert "the form names no language: taken as 'en'" in imported.stderr
    assert "date" not in imported.stderr  # a date question is a date question
    survey = parse(out.read_text(encoding="utf-8"))
    assert survey.languages == ("en",)
    assert survey.question("spent") is not None
    visit = survey.question("visit")
    assert visit is not None
    assert visit.kind is QuestionKind.DATE
    typed = "last Tuesday\n3/9/2026\n-3\n12.5\n2\nskip\n"
    chat = _sauti("survey", "chat", str(out), stdin=typed)
    assert chat.returncode == 0, chat.stderr
    assert "! Sorry, I could not read that date. Please write it like 31/12/2000" in chat.stdout
    assert "✓ September 3, 2026" in chat.stdout  # day first, as the form did not say otherwise
    assert "Choose one." in chat.stdout
    assert "trial run over" in chat.stdout


def test_a_broken_form_gives_every_problem_at_its_sheet_row_and_column(tmp_path: Path) -> None:
    form = _write(tmp_path, "broken.xlsx", BROKEN_FORM)
    result = _sauti("survey", "import", str(form), "-o", str(tmp_path / "out.yaml"))
    assert result.returncode == 1
    assert not (tmp_path / "out.yaml").exists()
    errors = result.stderr
    expected = [
        "sheet 'survey', row 2, column 'type': a 'geopoint' question cannot be asked in chat",
        "sheet 'survey', row 3, column 'type': repeats cannot be asked in chat",
        "sheet 'survey', row 6, column 'type': Sauti cannot calculate values",
        "sheet 'survey', row 6, column 'calculation': Sauti cannot use 'calculation'",
        "sheet 'survey', row 7, column 'image::English (en)': Sauti cannot send pictures",
        "sheet 'survey', row 7, column 'relevant': refers to 'later', which is this question "
        "or comes after it",
        "sheet 'survey', row 8, column 'type': the choices sheet has no list 'nolist'",
        "sheet 'survey', row 9, column 'constraint': compare one answer with a fixed value",
        "sheet 'survey', row 11, column 'label::English (en)': Sauti cannot put earlier "
        "answers into a text",
        "sheet 'survey', row 1, column 'label::Français': name the language's code too",
        "sheet 'settings', column 'organisation::English (en)': Sauti needs who is asking",
        "sheet 'settings', column 'promise::English (en)': Sauti needs what you promise",
    ]
    missing = [line for line in expected if line not in errors]
    assert missing == [], errors
    assert "13 problems; nothing written" in errors


def test_garbage_is_said_to_be_no_workbook_not_a_traceback(tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    form.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = _sauti("survey", "import", str(form))
    assert result.returncode == 1
    assert "the file: not a readable XLSForm workbook" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_small_workbook_that_unpacks_to_gigabytes_is_refused_unread() -> None:
    # A zip bomb: 64 MB of one repeated byte compresses to well under the 256 KB upload limit.
    packed = BytesIO()
    with ZipFile(packed, "w", ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (64 * 1024 * 1024))
    content = packed.getvalue()
    assert len(content) < 256 * 1024
    result = import_workbook(content)
    assert result.text is None
    assert [problem.message for problem in result.problems] == [
        "the workbook unpacks to more than 32 MB: not an XLSForm Sauti reads"
    ]


# A KoboToolbox incident form as its documentation lays one out: a date no later than today,
# with a constraint message and a required message in each language.
INCIDENT_FORM: dict[str, Rows] = {
    "survey": [
        {
            "type": "date",
            "name": "incident",
            "required": "yes",
            "constraint": ". >= date('2020-01-01') and . < today()",
            "label::English (en)": "When did it happen?",
            "label::Français (fr)": "Quand est-ce arrivé ?",
            "constraint_message::English (en)": "A day from 2020 until today, please.",
            "constraint_message::Français (fr)": "Un jour entre 2020 et aujourd'hui.",
            "required_message::Français (fr)": "Nous avons besoin de cette date.",
        },
        {
            "type": "text",
            "name": "what",
            "label::English (en)": "What happened?",
            "label::Français (fr)": "Que s'est-il passé ?",
        },
    ],
    "settings": [
        {
            "form_id": "incidents",
            "form_title": "Incidents",
            "default_language": "English (en)",
            "organisation::English (en)": "Acme",
            "organisation::Français (fr)": "Acme",
            "promise::English (en)": "We will tell you.",
            "promise::Français (fr)": "Nous vous dirons.",
            "date_order": "month_first",
            "system_text.survey.thanks::Français (fr)": "Merci pour votre temps.",
        }
    ],
}


def test_a_kobo_date_with_its_messages_is_asked_as_a_date_and_refused_in_the_form_s_words(
    tmp_path: Path,
) -> None:
    form = _write(tmp_path, "incidents.xlsx", INCIDENT_FORM)
    out = tmp_path / "incidents.yaml"
    imported = _sauti("survey", "import", str(form), "-o", str(out))
    assert imported.returncode == 0, imported.stderr
    assert "not used" not in imported.stderr
    assert "column 'constraint': '< today()' is read as '<= today()'" in imported.stderr
    survey = parse(out.read_text(encoding="utf-8"))
    incident = survey.question("incident")
    assert incident is not None
    assert incident.kind is QuestionKind.DATE
    assert survey.date_order == "month_first"

    typed = "passer\nhier soir\n3/5/2019\n3/5/2021\npasser\n"
    chat = _sauti("survey", "chat", str(out), "--lang", "fr", stdin=typed)
    assert chat.returncode == 0, chat.stderr
    said = chat.stdout
    assert "! Nous avons besoin de cette date." in said  # the form's required_message
    assert "! Désolé, je n'ai pas pu lire cette date" in said  # Sauti's own, in French
    assert "! Un jour entre 2020 et aujourd'hui." in said  # the constraint_message
    assert "✓ 5 mars 2021" in said  # month first, as the form says
    assert "Merci pour votre temps." in said  # the form's own wording of Sauti's thanks
    assert "trial run over" in said

    # Exported, it is the same form again: a date with its limits and messages.
    workbook = tmp_path / "again.xlsx"
    assert _sauti("survey", "export", str(out), "-o", str(workbook)).returncode == 0
    back = tmp_path / "back.yaml"
    assert _sauti("survey", "import", str(workbook), "-o", str(back)).returncode == 0
    again = parse(back.read_text(encoding="utf-8")).question("incident")
    assert again is not None
    assert (again.kind, again.max_date, again.constraint_message) == (
        QuestionKind.DATE,
        "today",
        incident.constraint_message,
    )
    assert parse(back.read_text(encoding="utf-8")).system_texts == survey.system_texts


def test_a_wording_of_a_text_sauti_does_not_have_is_located_at_its_cell() -> None:
    settings = dict(INCIDENT_FORM["settings"][0])
    settings["system_text.survey.thank::Français (fr)"] = "Merci !"
    settings["system_text.hint.scale::Français (fr)"] = "De {min} à {maximum}."
    result = import_workbook(workbook_bytes({**INCIDENT_FORM, "settings": [settings]}))
    said = [str(problem) for problem in result.problems]
    assert any(
        "sheet 'settings', row 2, column 'system_text.survey.thank::Français (fr)'" in line
        and "did you mean 'survey.thanks'" in line
        for line in said
    ), said
    assert any(
        "column 'system_text.hint.scale::Français (fr)'" in line and "{max}" in line
        for line in said
    ), said
