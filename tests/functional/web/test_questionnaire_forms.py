"""The questionnaire forms on the client page read as the client's own form: the instructions,
each item's wording as its fieldset's legend, the answers as labelled radio buttons whose values
are the scores, and the credit line the authors ask for; they save, and a refusal says which
item beside that item."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from referwell.db.cases import case_dict_for_client
from referwell.domain.measures import INSTRUMENTS, PHQ9, Instrument
from referwell.web.rendering import make_templates

from .conftest import WebClient
from .seed import TODAY, Seeded

WORDED = [instrument for instrument in INSTRUMENTS.values() if instrument.wording is not None]


@dataclass
class Item:
    """One item's fieldset: its legend, its radio buttons and the error shown inside it."""

    legend: str = ""
    radios: list[dict[str, str]] = field(default_factory=list)
    error: str = ""


@dataclass
class Form:
    """What a person meets in one form: its text, its fields, the labels and the items."""

    text: str = ""
    inputs: list[dict[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # by the id the label is for
    items: list[Item] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.form = Form()
        self.item: Item | None = None
        self.in_legend = False
        self.in_error = False
        self.label_for: str | None = None
        self.label_text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if "id" in found:
            self.form.ids.append(found["id"])
        if tag == "fieldset" and "q-item" in found.get("class", "").split():
            self.item = Item()
        elif tag == "legend" and self.item is not None:
            self.in_legend = True
        elif tag == "p" and "field-error" in found.get("class", "") and self.item is not None:
            self.in_error = True
        elif tag == "label":
            self.label_for = found.get("for", "")
            self.label_text = []
        elif tag in ("input", "select"):
            self.form.inputs.append(found | {"tag": tag})
            if self.item is not None and found.get("type") == "radio":
                self.item.radios.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self.item is not None:
            self.form.items.append(self.item)
            self.item = None
        elif tag == "legend":
            self.in_legend = False
        elif tag == "p":
            self.in_error = False
        elif tag == "label" and self.label_for is not None:
            self.form.labels[self.label_for] = " ".join("".join(self.label_text).split())
            self.label_for = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.label_for is not None:
            self.label_text.append(data)
        if self.item is not None and self.in_legend:
            self.item.legend += data
        if self.item is not None and self.in_error:
            self.item.error += data


def read_form(html: str) -> Form:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    reader.form.text = " ".join("".join(reader.text).split())
    for item in reader.form.items:
        item.legend = " ".join(item.legend.split())
        item.error = " ".join(item.error.split())
    return reader.form


def measure_form(page: str, instrument: Instrument) -> Form:
    """The form that adds this questionnaire, from the client page."""
    found = re.search(
        rf'<details id="form-measure-{re.escape(instrument.code)}".*?</details>', page, re.S
    )
    assert found is not None, f"no form for the {instrument.code}"
    return read_form(found.group(0))


def case_of(engine: Engine, client_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        return case_dict_for_client(session, client_id)


@pytest.fixture
def client_page(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> tuple[WebClient, int, str]:
    client = signed_in("clin")
    client_id = seeded.clients["ex07"]
    answer = client.get(f"/clients/{client_id}")
    assert answer.status_code == 200
    return client, client_id, answer.text


@pytest.mark.parametrize("instrument", WORDED, ids=[i.code for i in WORDED])
def test_each_questionnaire_reads_as_the_clients_form(
    client_page: tuple[WebClient, int, str], instrument: Instrument
) -> None:
    wording = instrument.wording
    assert wording is not None
    form = measure_form(client_page[2], instrument)

    assert f"{instrument.title} ({instrument.code})" in form.text
    assert wording.instructions in form.text
    assert wording.credit in form.text
    assert form.text.index(wording.instructions) < form.text.index(wording.credit)
    assert [item.legend for item in form.items] == [
        f"{number}. {text}" for number, text in enumerate(wording.items, start=1)
    ]
    scores = [str(score) for score in range(instrument.item_min, instrument.item_max + 1)]
    for number, item in enumerate(form.items, start=1):
        assert [radio["name"] for radio in item.radios] == [f"item{number}"] * len(scores)
        assert [radio["value"] for radio in item.radios] == scores
        assert all("required" in radio for radio in item.radios)
        assert not any("checked" in radio for radio in item.radios)
        # The first answer carries the item's id (what an error names); each has its label.
        assert item.radios[0]["id"].endswith(f"-item{number}")
        answers = [form.labels[radio["id"]] for radio in item.radios]
        assert answers == [
            f"{answer} ({score})" for answer, score in zip(wording.answers, scores, strict=True)
        ]
        assert item.error == ""


def test_the_page_has_no_repeated_ids(client_page: tuple[WebClient, int, str]) -> None:
    ids = read_form(client_page[2]).ids
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_the_date_comes_with_the_questionnaire_and_keeps_its_id(
    client_page: tuple[WebClient, int, str],
) -> None:
    form = measure_form(client_page[2], PHQ9)
    date = next(found for found in form.inputs if found.get("name") == "date")
    assert date["id"] == "m-phq9-date"
    assert date["value"] == TODAY.isoformat()
    assert form.labels["m-phq9-date"] == "Date given"
    hidden = {found["name"]: found["value"] for found in form.inputs if found["type"] == "hidden"}
    assert hidden["instrument"] == "PHQ-9"


def test_a_phq9_sent_by_its_radio_buttons_is_saved(
    client_page: tuple[WebClient, int, str], engine: Engine
) -> None:
    client, client_id, page = client_page
    form = measure_form(page, PHQ9)
    # What a person does: for each item, the answer whose label reads "Several days"
    # (item 9: "Not at all").
    data = {
        found["name"]: found["value"]
        for found in form.inputs
        if found.get("type") in ("hidden", "date") and found["name"] != "csrf_token"
    }
    for number, item in enumerate(form.items, start=1):
        wanted = "Not at all" if number == 9 else "Several days"
        chosen = next(r for r in item.radios if form.labels[r["id"]].startswith(wanted))
        data[chosen["name"]] = chosen["value"]

    answer = client.post_form(f"/clients/{client_id}/measures", data)

    assert answer.status_code == 303, answer.text[:2000]
    saved = {"instrument": "PHQ-9", "date": TODAY.isoformat(), "items": [1] * 8 + [0]}
    assert saved in case_of(engine, client_id)["measures"]


def test_a_missing_answer_is_named_beside_its_item_and_the_others_stay_chosen(
    client_page: tuple[WebClient, int, str], engine: Engine
) -> None:
    client, client_id, _ = client_page
    before = case_of(engine, client_id)["measures"]
    items = {f"item{number}": "2" for number in range(1, 10) if number != 2}

    answer = client.post_form(
        f"/clients/{client_id}/measures",
        {"instrument": "PHQ-9", "date": TODAY.isoformat(), **items},
        headers={"HX-Request": "true"},
    )

    assert answer.status_code == 422
    assert case_of(engine, client_id)["measures"] == before
    assert re.search(r'<details id="form-measure-PHQ-9" class="form-block" open>', answer.text)
    form = measure_form(answer.text, PHQ9)
    message = "Item 2 of the PHQ-9 is missing: choose an answer."
    assert "Nothing was saved" in form.text
    assert [item.error for item in form.items] == ["", message] + [""] * 7
    second = form.items[1]
    assert all(radio.get("aria-invalid") == "true" for radio in second.radios)
    assert all(radio["aria-describedby"] == "m-phq9-item2-error" for radio in second.radios)
    assert not any("checked" in radio for radio in second.radios)
    for number, item in enumerate(form.items, start=1):
        if number == 2:
            continue
        assert [r["value"] for r in item.radios if "checked" in r] == ["2"]
        assert not any("aria-invalid" in radio for radio in item.radios)
    # The other questionnaires' forms stay blank and closed.
    assert not re.search(r'<details id="form-measure-GAD-7" class="form-block" open>', answer.text)


def test_a_score_out_of_range_is_named_beside_its_item(
    client_page: tuple[WebClient, int, str],
) -> None:
    client, client_id, _ = client_page
    items = {f"item{number}": "1" for number in range(1, 10)} | {"item4": "7"}
    answer = client.post_form(
        f"/clients/{client_id}/measures",
        {"instrument": "PHQ-9", "date": TODAY.isoformat(), **items},
    )
    assert answer.status_code == 422
    form = measure_form(answer.text, PHQ9)
    assert form.items[3].error == "Item 4 of the PHQ-9 takes an answer from 0 to 3."
    assert not any("checked" in radio for radio in form.items[3].radios)


QUESTIONNAIRE = (
    '{% from "_questionnaire.html" import questionnaire_fields %}'
    "{{ questionnaire_fields(instrument, instrument.wording, prefix, errors, given,"
    " heading_level=2) }}"
)


def render_questionnaire(instrument: Instrument, **context: Any) -> str:
    """The macro alone, with neither request, URLs nor CSRF token: as a client's page uses it."""
    template = make_templates().from_string(QUESTIONNAIRE)
    return template.render(
        {"instrument": instrument, "prefix": "q", "errors": {}, "given": []} | context
    )


def test_the_macro_needs_no_request_and_shows_no_scores_unless_asked() -> None:
    wording = PHQ9.wording
    assert wording is not None
    html = render_questionnaire(PHQ9, given=[3, None, "two"])
    form = read_form(html)

    assert '<h2 class="q-title" id="q-title">' in html
    assert "csrf" not in html.lower()
    assert "href=" not in html
    assert "action=" not in html
    assert form.labels["q-item1"] == "Not at all"
    assert form.labels["q-item1-3"] == "Nearly every day"
    assert [r["value"] for r in form.items[0].radios if "checked" in r] == ["3"]
    assert not any("checked" in r for item in form.items[1:] for r in item.radios)
    assert wording.credit in form.text


def test_a_questionnaire_without_wording_falls_back_to_numbered_items() -> None:
    bare = replace(PHQ9, code="XQ-3", title="A questionnaire", item_count=3, wording=None)
    form = read_form(
        render_questionnaire(bare, errors={"items[1]": ["Item 2 is missing."]}, given=[2])
    )
    selects = [found for found in form.inputs if found["tag"] == "select"]
    assert [s["name"] for s in selects] == ["item1", "item2", "item3"]
    assert [form.labels[s["id"]] for s in selects] == ["Item 1", "Item 2", "Item 3"]
    assert selects[1]["aria-invalid"] == "true"
    assert "Item answers, 0 to 3" in form.text
    assert "Item 2 is missing." in form.text
