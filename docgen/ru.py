"""Russian typography and grammar: dates, quotes, non-breaking spaces and cases."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import pymorphy3
import pymorphy3_dicts_ru
from babel.dates import format_date
from pytrovich.enums import Case as PetrovichCase
from pytrovich.enums import Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

NBSP = "\u00a0"

_PETROVICH_CASES = {"genitive": PetrovichCase.GENITIVE, "dative": PetrovichCase.DATIVE,
                    "accusative": PetrovichCase.ACCUSATIVE,
                    "instrumental": PetrovichCase.INSTRUMENTAL,
                    "prepositional": PetrovichCase.PREPOSITIONAL}
_MORPHY_CASES = {"genitive": "gent", "dative": "datv", "accusative": "accs",
                 "instrumental": "ablt", "prepositional": "loct"}
CASES = ("nominative", *_PETROVICH_CASES)

_OPENING_CONTEXT = re.compile(r"[\s(\[{«„“\"/-]")
_DASH_BETWEEN_WORDS = re.compile(r"(?<=\S)[ \u00a0]+[-–—](?=[ \u00a0\n]|$)")
_NUMBER_SIGN = re.compile(r"№[ \u00a0]*(?=[\dA-Za-zА-Яа-я])")
_NUMBER = re.compile(r"(?<=№\u00a0)[^\s\u00a0]+")  # a registration number, «01-15/612»
_HYPHEN_IN_NUMBER = re.compile(r"(?<=[\dA-Za-zА-Яа-яЁё])-(?=[\dA-Za-zА-Яа-яЁё])")
NON_BREAKING_HYPHEN = "\u2011"  # Word and LibreOffice draw it as the font's own hyphen
_YEAR_ABBREVIATION = re.compile(r"(?<=\d)[ \u00a0]+(?=гг?\.)")
_INITIALS = r"[А-ЯЁ]\.[ \u00a0]?(?:[А-ЯЁ]\.)?"
_SURNAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_INITIALS_THEN_SURNAME = re.compile(rf"\b({_INITIALS})[ \u00a0]+({_SURNAME})")
_SURNAME_THEN_INITIALS = re.compile(rf"\b({_SURNAME})[ \u00a0]+({_INITIALS})(?![а-яё])")
_CONTROL = re.compile(r"[\t\a\f\v\r\x00-\x08\x0e-\x1f]")


def date_numeric(value: dt.date) -> str:
    """«30.08.2022»."""
    return value.strftime("%d.%m.%Y")


def dated(day: dt.date, number: str | int) -> str:
    """A document's date and number as GOST R 7.0.97 references it: «от 30.08.2022 № 685»."""
    return f"от {date_numeric(day)} № {number}"


def deadline(value: dt.date | str) -> str:
    """A deadline: a date as «30.08.2022», words as written, typeset."""
    return date_numeric(value) if isinstance(value, dt.date) else typograph(value)


def date_long(value: dt.date) -> str:
    """«30 августа 2022 г.», month in the genitive, no leading zero."""
    return format_date(value, "d MMMM y", locale="ru") + NBSP + "г."


def date_quoted(value: dt.date) -> str:
    """«“30” августа 2022 года», the form allowed on forms and headers."""
    return f"«{value.day:02d}»{NBSP}" + format_date(value, "MMMM y", locale="ru") + NBSP + "года"


@lru_cache(maxsize=4096)
def typograph(text: str) -> str:
    """Apply Russian typography: «ёлочки», dashes, non-breaking spaces, and a number after
    «№» that never breaks at its hyphen (a narrow column split «№ 01-» from «15/612»)."""
    text = _CONTROL.sub(" ", text)
    text = quotes(text)
    text = _DASH_BETWEEN_WORDS.sub(NBSP + "—", text)
    text = _NUMBER_SIGN.sub("№" + NBSP, text)
    text = _NUMBER.sub(lambda m: _HYPHEN_IN_NUMBER.sub(NON_BREAKING_HYPHEN, m[0]), text)
    text = _YEAR_ABBREVIATION.sub(NBSP, text)
    text = _INITIALS_THEN_SURNAME.sub(lambda m: _compact(m[1]) + NBSP + m[2], text)
    text = _SURNAME_THEN_INITIALS.sub(lambda m: m[1] + NBSP + _compact(m[2]), text)
    return text


def _compact(initials: str) -> str:
    """«И. Н.» → «И.Н.»."""
    return re.sub(r"[ \u00a0]", "", initials)


def quotes(text: str) -> str:
    """Replace any quotation marks by «ёлочки», and nested ones by „лапки“."""
    result: list[str] = []
    depth = 0
    for index, char in enumerate(text):
        if char not in "\"«»„“”":
            result.append(char)
            continue
        before = text[index - 1] if index else " "
        opening = char in "«„" or (char in "\"“" and bool(_OPENING_CONTEXT.match(before)))
        if opening:
            result.append("«" if depth == 0 else "„")
            depth += 1
        else:
            depth = max(depth - 1, 0)
            result.append("»" if depth == 0 else "“")
    return "".join(result)


def capfirst(text: str) -> str:
    """The text with its first letter in upper case and the rest untouched."""
    return text[:1].upper() + text[1:]


def lowerfirst(text: str) -> str:
    """The text with its first letter in lower case, unless it starts an abbreviation."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


@lru_cache(maxsize=1)
def _petrovich() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    # the dictionary named, not looked up among the installed packages' entry points (20 ms)
    return pymorphy3.MorphAnalyzer(path=pymorphy3_dicts_ru.get_path(), lang="ru")


@lru_cache(maxsize=4096)
def inflect_surname(surname: str, gender: str, case: str) -> str:
    """The surname in `case` (one of CASES) for a person of `gender`."""
    if case == "nominative":
        return surname
    sex = Gender.FEMALE if gender == "female" else Gender.MALE
    return _petrovich().make(NamePart.LASTNAME, sex, _PETROVICH_CASES[case], surname)


@lru_cache(maxsize=4096)
def inflect_given(name: str, gender: str, case: str, *, patronymic: bool) -> str:
    """A first name or, with `patronymic`, a patronymic in `case`."""
    if case == "nominative":
        return name
    sex = Gender.FEMALE if gender == "female" else Gender.MALE
    part = NamePart.MIDDLENAME if patronymic else NamePart.FIRSTNAME
    return _petrovich().make(part, sex, _PETROVICH_CASES[case], name)


@lru_cache(maxsize=4096)
def inflect_phrase(phrase: str, case: str) -> str:
    """A position or group name in `case`: its head noun and the words agreeing with it.

    Positions and groups name people, so an accusative agrees as with animate nouns
    («главного специалиста», not «главный специалиста»).
    """
    if case == "nominative":
        return phrase
    parts = re.split(r"([ \u00a0]+[-–—][ \u00a0\n]+)", phrase)
    return "".join(part if index % 2 else _inflect_head(part, _MORPHY_CASES[case])
                   for index, part in enumerate(parts))


def _inflect_head(words: str, grammeme: str) -> str:
    """Inflect the leading adjectives and the first noun of a noun phrase."""
    tokens = re.split(r"([ \u00a0]+)", words)
    for index in range(0, len(tokens), 2):
        word = tokens[index]
        inflected, is_noun = _inflect_word(word, grammeme, adjective_first=index + 2 < len(tokens))
        if inflected is None:
            break
        tokens[index] = inflected
        if is_noun:
            break
    return "".join(tokens)


def _inflect_word(word: str, grammeme: str,
                  adjective_first: bool = False) -> tuple[str | None, bool]:
    """The word in the case, and whether it was the head noun; None if it does not agree.

    With `adjective_first`, a word that may be an adjective («старший») is taken as one,
    since a noun follows it.
    """
    if "-" in word and not word.isupper():
        pieces = [_inflect_word(piece, grammeme) for piece in word.split("-")]
        if all(piece[0] for piece in pieces):
            return "-".join(piece[0] for piece in pieces if piece[0]), any(p[1] for p in pieces)
        return None, False
    if not word or not word[0].isalpha() or (len(word) > 1 and word.isupper()):
        return None, False
    parses = _morph().parse(word)
    if adjective_first:
        parses.sort(key=lambda parse: parse.tag.POS not in {"ADJF", "PRTF"})
    for parse in parses:
        tag = parse.tag
        if "nomn" not in tag or tag.POS not in {"NOUN", "ADJF", "PRTF"}:
            continue
        animate = grammeme == "accs" and tag.POS != "NOUN" and ("masc" in tag or "plur" in tag)
        wanted = {grammeme, "anim"} if animate else {grammeme}
        form = parse.inflect(wanted) or parse.inflect({grammeme})
        if form is None:
            continue
        text = form.word
        if word[0].isupper():
            text = capfirst(text)
        return text, tag.POS == "NOUN"
    return None, False


def grammatical_number_and_gender(noun: str) -> str:
    """«plur», or the gender («masc», «femn», «neut») of the noun that starts `noun`."""
    word = re.split(r"[ \u00a0]+", noun.strip(), maxsplit=1)[0].lower()
    tag = _morph().parse(word)[0].tag
    return "plur" if tag.number == "plur" else (tag.gender or "masc")


@lru_cache(maxsize=4096)
def agree_with_number(word: str, count: int) -> str:
    """The noun in the form that goes with the number: год → «года» for 4, «лет» for 16."""
    form = _morph().parse(word)[0].make_agree_with_number(count).word
    return "лет" if form == "годов" else form  # with numbers, «год» takes «лет»
