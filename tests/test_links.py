"""Links between the roadmap, the campaign and the reserve are checked, with locations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import replace_once, run_check

ANNEX = Path("content/orders/2022-685/annex-1-roadmap.yaml")
CAMPAIGN = Path("content/orders/2022-685/campaign.yaml")
CANDIDATES = Path("content/reserve/candidates.yaml")
INTERVIEWS = Path("content/reserve/interviews.yaml")
PLANS = Path("content/reserve/plans.yaml")






def test_an_activity_whose_documents_are_missing_is_reported(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    interviews = (project / INTERVIEWS).read_text(encoding="utf-8")
    (project / INTERVIEWS).write_text(
        interviews[:interviews.index("interviews:")] + "interviews: []\n", encoding="utf-8")
    candidates = (project / CANDIDATES).read_text(encoding="utf-8")
    (project / CANDIDATES).write_text(
        re.sub(r"status: (included|interviewed|declined)", "status: nominated", candidates),
        encoding="utf-8")
    plans = (project / PLANS).read_text(encoding="utf-8")
    (project / PLANS).write_text(plans[:plans.index("additions:")], encoding="utf-8")
    lines = (project / ANNEX).read_text(encoding="utf-8").splitlines()
    code, err = run_check(project, capsys)
    assert code == 0
    for activity, document in (("individual-plans", "индивидуальный план подготовки"),
                               ("reserve-list", "список резерва управленческих кадров")):
        line = lines.index(f"      - id: {activity}") + 1
        assert (f"{ANNEX}:{line}:9: предупреждение: поле «produces»: мероприятие «{activity}» "
                f"порождает «{document}», но таких документов нет") in err
    assert "«nomination-request» порождает" not in err
    assert "«interviews» порождает" not in err  # the nominees' blank protocols are planned
    code, err = run_check(project, capsys, "--strict")
    assert code == 1
    assert "порождает «индивидуальный план подготовки», но таких документов нет" in err
    assert "Найдено ошибок: 2." in err


def test_unknown_activity_in_the_campaign(project: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, CAMPAIGN, "activity: nomination-request", "activity: nomination")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{CAMPAIGN}:{line}:3: поле «nomination_request.activity»: в «дорожной карте» "
            "приказа нет мероприятия «nomination»") in err


def test_unknown_produced_kind(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, ANNEX, "produces: [reserve-list]", "produces: [reserve-lists]")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{ANNEX}:{line}:20: поле «directions[1].activities[2].produces[1]»: нет вида "
            "документов «reserve-lists»; возможно, имелось в виду «reserve-list»") in err


def test_status_must_agree_with_the_protocols(project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, CANDIDATES, "    status: declined", "    status: included\n"
                    "    mentor: kokh-es")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{CANDIDATES}:{line}:5: поле «candidates.k-04.status»: по протоколам собеседований "
            "кандидат не включён в резерв (status: declined), а указано included") in err


def test_included_candidate_needs_a_mentor(project: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, CANDIDATES, "    mentor: shevchenko-op\n", "")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "поле «candidates.k-01»: у кандидата, включённого в резерв, должен быть mentor" in err


def test_scores_are_checked_against_the_criteria(project: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, INTERVIEWS,
                    "scores: {law: 5, management: 4, leadership: 5, motivation: 5, vision: 4}",
                    "scores: {law: 7, management: 4, leadership: 5, motivaton: 5, vision: 4}")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{INTERVIEWS}:{line}:5: поле «interviews[1].scores»: нет оценки по критериям: "
            "motivation") in err
    assert "поле «interviews[1].scores.law»: балл 7 больше наибольшего (5)" in err
    assert "поле «interviews[1].scores.motivaton»: неизвестный критерий" in err


def test_plan_sections_follow_roadmap_directions(project: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(project, PLANS, "direction: methodical-support", "direction: methodics")
    code, err = run_check(project, capsys)
    assert code == 1
    assert (f"{PLANS}:{line}:5: поле «sections[4].direction»: в «дорожной карте» нет "
            "направления «methodics»") in err


def test_candidate_school_must_be_a_school(project: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, CANDIDATES, "school: school-6", "school: uo-bgo")
    code, err = run_check(project, capsys)
    assert code == 1
    assert "поле «candidates.k-05»: school должен ссылаться на школу" in err


def test_deadline_sentence_must_mark_the_deadline(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    replace_once(project, CAMPAIGN, "в срок до {deadline}.\n  form_title", "в срок.\n  form_title")
    code, err = run_check(project, capsys)
    assert code == 1
    assert ("поле «nomination_request.deadline_text»: укажите место срока в тексте ровно один "
            "раз: {deadline}") in err
