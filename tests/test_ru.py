"""Russian typography and grammar filters."""

from __future__ import annotations

import datetime as dt

import pytest

from docgen import filters, ru
from docgen.model import Case, CaseForms, Group, Person

NB = "\u00a0"


@pytest.mark.parametrize(("day", "numeric", "long", "quoted"), [
    (dt.date(2022, 8, 30), "30.08.2022", f"30 августа 2022{NB}г.", f"«30»{NB}августа 2022{NB}года"),
    (dt.date(2022, 9, 1), "01.09.2022", f"1 сентября 2022{NB}г.", f"«01»{NB}сентября 2022{NB}года"),
    (dt.date(2023, 5, 15), "15.05.2023", f"15 мая 2023{NB}г.", f"«15»{NB}мая 2023{NB}года"),
    (dt.date(2024, 3, 8), "08.03.2024", f"8 марта 2024{NB}г.", f"«08»{NB}марта 2024{NB}года"),
    # the calendar year, not the year of the week (whose week here is already 2025's)
    (dt.date(2024, 12, 30), "30.12.2024", f"30 декабря 2024{NB}г.",
     f"«30»{NB}декабря 2024{NB}года"),
])
def test_dates_in_both_gost_forms(day: dt.date, numeric: str, long: str, quoted: str) -> None:
    assert ru.date_numeric(day) == numeric
    assert ru.date_long(day) == long
    assert ru.date_quoted(day) == quoted


@pytest.mark.parametrize(("source", "expected"), [
    ("“О проведении мониторинга”", "«О проведении мониторинга»"),
    ("“Об утверждении плана (“дорожной карты”) по проведению”",
     "«Об утверждении плана („дорожной карты“) по проведению»"),
    ('"дорожная карта"', "«дорожная карта»"),
    ('приказ "О "важном" деле"', "приказ «О „важном“ деле»"),
    ("уже «ёлочки»", "уже «ёлочки»"),
    ("приказ №685", f"приказ №{NB}685"),
    ("№ 1290/1", f"№{NB}1290/1"),
    ("письмо от 01.09.2022 № 01-15/612 (6 экз.)", f"письмо от 01.09.2022 №{NB}01\u201115/612 (6 экз.)"),
    ("№ 12-р и работа над ошибками-2", f"№{NB}12\u2011р и работа над ошибками-2"),
    ("№ 5 - итог", f"№{NB}5{NB}— итог"),
    ("2022 г.", f"2022{NB}г."),
    ("в 2021–2022 гг.", f"в 2021–2022{NB}гг."),
    ("Цель - создать", f"Цель{NB}— создать"),
    ("слово – слово", f"слово{NB}— слово"),
    ("слово — слово", f"слово{NB}— слово"),
    ("администрации –\nначальник", f"администрации{NB}—\nначальник"),
    ("2022 -2023 учебный год", "2022 -2023 учебный год"),
    ("материально-технических", "материально-технических"),
    ("И.Н. Солдатова", f"И.Н.{NB}Солдатова"),
    ("И. Н. Солдатова", f"И.Н.{NB}Солдатова"),
    ("Солдатова И.Н.", f"Солдатова{NB}И.Н."),
    ("Зайченко-Петрова О.И.", f"Зайченко-Петрова{NB}О.И."),
])
def test_typography(source: str, expected: str) -> None:
    assert ru.typograph(source) == expected


def test_typography_removes_control_characters() -> None:
    assert ru.typograph("a\fb\x07c\td") == "a b c d"


# Surname, gender, genitive, dative: at least twenty, with the indeclinable ones.
SURNAMES = [
    ("Солдатова", "female", "Солдатовой", "Солдатовой"),
    ("Петропавловская", "female", "Петропавловской", "Петропавловской"),
    ("Нечаева", "female", "Нечаевой", "Нечаевой"),
    ("Матасова", "female", "Матасовой", "Матасовой"),
    ("Иванов", "male", "Иванова", "Иванову"),
    ("Ильин", "male", "Ильина", "Ильину"),
    ("Толстой", "male", "Толстого", "Толстому"),
    ("Вишневский", "male", "Вишневского", "Вишневскому"),
    ("Цой", "male", "Цоя", "Цою"),
    ("Лебедь", "male", "Лебедя", "Лебедю"),
    ("Лебедь", "female", "Лебедь", "Лебедь"),
    ("Блок", "male", "Блока", "Блоку"),
    ("Блок", "female", "Блок", "Блок"),
    ("Кох", "female", "Кох", "Кох"),
    ("Шевченко", "male", "Шевченко", "Шевченко"),
    ("Гурченко", "female", "Гурченко", "Гурченко"),
    ("Черных", "female", "Черных", "Черных"),
    ("Седых", "male", "Седых", "Седых"),
    ("Дюма", "male", "Дюма", "Дюма"),
    ("Гёте", "male", "Гёте", "Гёте"),
    ("Зайченко-Петрова", "female", "Зайченко-Петровой", "Зайченко-Петровой"),
    ("Мельник", "female", "Мельник", "Мельник"),
]


@pytest.mark.parametrize(("surname", "gender", "genitive", "dative"), SURNAMES)
def test_surnames_in_genitive_and_dative(surname: str, gender: str, genitive: str,
                                         dative: str) -> None:
    assert ru.inflect_surname(surname, gender, "genitive") == genitive
    assert ru.inflect_surname(surname, gender, "dative") == dative
    assert ru.inflect_surname(surname, gender, "nominative") == surname


POSITIONS = [
    ("заместитель начальника Управления образования администрации БГО",
     "заместителя начальника Управления образования администрации БГО",
     "заместителю начальника Управления образования администрации БГО"),
    ("консультант Управления образования администрации БГО",
     "консультанта Управления образования администрации БГО",
     "консультанту Управления образования администрации БГО"),
    ("заведующая методическим кабинетом Управления образования администрации БГО",
     "заведующей методическим кабинетом Управления образования администрации БГО",
     "заведующей методическим кабинетом Управления образования администрации БГО"),
    ("заместитель главы администрации – начальник Управления образования администрации БГО",
     "заместителя главы администрации – начальника Управления образования администрации БГО",
     "заместителю главы администрации – начальнику Управления образования администрации БГО"),
    ("руководители общеобразовательных организаций",
     "руководителей общеобразовательных организаций",
     "руководителям общеобразовательных организаций"),
    ("директор МБОУ СОШ № 5", "директора МБОУ СОШ № 5", "директору МБОУ СОШ № 5"),
    ("учитель математики", "учителя математики", "учителю математики"),
    ("главный специалист отдела", "главного специалиста отдела", "главному специалисту отдела"),
    ("старший воспитатель", "старшего воспитателя", "старшему воспитателю"),
    ("педагог-психолог", "педагога-психолога", "педагогу-психологу"),
    ("социальный педагог", "социального педагога", "социальному педагогу"),
    ("заместитель директора по учебно-воспитательной работе",
     "заместителя директора по учебно-воспитательной работе",
     "заместителю директора по учебно-воспитательной работе"),
    ("Управление образования администрации БГО", "Управления образования администрации БГО",
     "Управлению образования администрации БГО"),
]


@pytest.mark.parametrize(("nominative", "genitive", "dative"), POSITIONS)
def test_positions_in_genitive_and_dative(nominative: str, genitive: str, dative: str) -> None:
    assert ru.inflect_phrase(nominative, "genitive") == genitive
    assert ru.inflect_phrase(nominative, "dative") == dative


def _person(**fields: object) -> Person:
    values = {"surname": "Солдатова", "initials": "И.Н.", "gender": "female",
              "position": "заместитель начальника Управления образования администрации БГО"}
    return Person(**(values | fields))


def test_executor_in_the_dative_with_position() -> None:
    assert filters.addressee(_person()) == (
        f"Солдатовой{NB}И.Н., заместителю начальника Управления образования администрации БГО")


def test_registry_forms_override_the_libraries() -> None:
    person = _person(surname="Кох", gender="male",
                     forms={Case.DATIVE: CaseForms(surname="Коху", position="советнику")})
    assert filters.surname_initials(person, "dative") == f"Коху{NB}И.Н."
    assert filters.position(person, "dative") == "советнику"
    assert filters.surname_initials(person, "genitive") == f"Коха{NB}И.Н."


def test_initials_come_from_full_names() -> None:
    person = _person(initials=None, first_name="Ирина", patronymic="Николаевна")
    assert filters.initials_surname(person) == f"И.Н.{NB}Солдатова"


def test_group_in_the_dative() -> None:
    group = Group(name="руководители общеобразовательных организаций", short_name="Руководители ОО")
    assert filters.addressee(group) == "руководителям общеобразовательных организаций"
