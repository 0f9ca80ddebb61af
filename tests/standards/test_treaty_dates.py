"""The dates in the shipped table of ratifications (``habeas/standards/treaties.yaml``) against what public texts
state, each value with the line it was read in (checked 7 December 2026 with the stored texts the search tools
reach; the UN Treaty Collection's status pages are stored only as their openings, before the table of
participants, so the dates were read in texts that quote it: the treaty bodies' own documents first).

A deposit read is turned into the date the instrument entered into force for the state by the instrument's own
rule: the Convention against Torture and its Optional Protocol on the thirtieth day after the deposit (CAT art.
27(2), OPCAT art. 28(2)), or on the day the instrument itself entered into force for a deposit before it; the
Covenant and its first Optional Protocol three months after (ICCPR art. 49(2), OP art. 9(2))."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import yaml

from habeas.standards.treaties import TREATIES_FILE

#: the day each instrument itself entered into force
OWN_ENTRY_INTO_FORCE = {
    # E/CN.4/1998/36, para. 2: "the Convention entered into force on 26 June 1987"
    "CAT": dt.date(1987, 6, 26),
    # UN Treaty Collection, chapter IV.9.b, the page's opening: "22 June 2006, in accordance with article 28(1)"
    "OPCAT": dt.date(2006, 6, 22),
    "ICCPR": dt.date(1976, 3, 23),
    "ICCPR-OP1": dt.date(1976, 3, 23),
}


def in_force_after_deposit(instrument: str, deposited: dt.date) -> dt.date:
    if instrument in ("CAT", "OPCAT"):
        return max(deposited + dt.timedelta(days=30), OWN_ENTRY_INTO_FORCE[instrument])
    month = deposited.month + 3
    year, month = deposited.year + (month - 1) // 12, (month - 1) % 12 + 1
    return max(deposited.replace(year=year, month=month), OWN_ENTRY_INTO_FORCE[instrument])


@dataclass(frozen=True)
class Read:
    state: str
    instrument: str
    source: str
    deposited: dt.date | None = None
    in_force: dt.date | None = None
    ceased: dt.date | None = None


READ = [
    Read(
        "KZ",
        "ICCPR",
        "Kazakhstan International Bureau for Human Rights and partners, briefing paper to the Human Rights "
        "Committee's 102nd session (2011), first paragraph: the ICCPR, 'which was ratified by Kazakhstan on "
        "24 January 2006'",
        deposited=dt.date(2006, 1, 24),
    ),
    Read(
        "KZ",
        "ICCPR-OP1",
        "Committee against Torture, CAT/C/KAZ/CO/3 (2014), para. 3(b): 'First Optional Protocol to the "
        "International Covenant on Civil and Political Rights, on 30 June 2009'",
        deposited=dt.date(2009, 6, 30),
    ),
    Read(
        "KZ",
        "ICCPR-OP1",
        "Human Rights Committee, CCPR/C/119/D/2146/2012, para. 1: 'The Optional Protocol entered into force for "
        "Kazakhstan on 30 September 2009'",
        in_force=dt.date(2009, 9, 30),
    ),
    Read(
        "KG",
        "CAT",
        "Association for the Prevention of Torture, country page Kyrgyzstan: 'UNCAT Ratification: Friday, "
        "September 5, 1997'",
        deposited=dt.date(1997, 9, 5),
    ),
    Read(
        "KG",
        "OPCAT",
        "Association for the Prevention of Torture, country page Kyrgyzstan: 'OPCAT Ratification: Monday, "
        "December 29, 2008'",
        deposited=dt.date(2008, 12, 29),
    ),
    Read(
        "KG",
        "ICCPR-OP1",
        "Human Rights Committee, CCPR/C/130/D/2500/2014, para. 1: 'The Optional Protocol entered into force for "
        "Kyrgyzstan on 7 January 1995'",
        in_force=dt.date(1995, 1, 7),
    ),
    *(
        Read(
            "UZ",
            instrument,
            "Uzbekistan's list of the instruments it is party to (hozir.org, 'International organizations', "
            f"page 6): {name} '(28 September 1995)'",
            deposited=dt.date(1995, 9, 28),
        )
        for instrument, name in (
            ("CAT", "Convention against Torture"),
            ("ICCPR", "International Covenant on Civil and Political Rights"),
            ("ICCPR-OP1", "Optional Protocol to the International Covenant"),
        )
    ),
    Read(
        "RU",
        "ICCPR-OP1",
        "Human Rights Committee, CCPR/C/133/D/2759/2016, para. 1.1: 'The Optional Protocol entered into force for "
        "the State party on 1 January 1992'",
        in_force=dt.date(1992, 1, 1),
    ),
    Read(
        "BY",
        "ICCPR-OP1",
        "Belarusian human rights defenders, 'The Only International Human Rights Institution Available to "
        "Belarusians Will Cease Being One': the Protocol 'entered into force on December 30' 1992; and 'The Last "
        "Day for Belarusians to Lodge a Complaint …': the denunciation 'will enter into force on February 8, 2023'",
        in_force=dt.date(1992, 12, 30),
        ceased=dt.date(2023, 2, 8),
    ),
    *(
        Read(
            state,
            "CAT",
            "E/CN.4/1998/36, para. 2: the Convention entered into force on 26 June 1987, for every state whose "
            "instrument was deposited before (the deposit is the table's own, under 'declarations')",
            in_force=dt.date(1987, 6, 26),
        )
        for state in ("RU", "UA", "BY")
    ),
    Read(
        "GE",
        "OPCAT",
        "UN Treaty Collection, chapter IV.9.b, the page's opening: the Protocol entered into force on 22 June "
        "2006 (Georgia's accession, deposited in 2005, took effect with it)",
        in_force=dt.date(2006, 6, 22),
    ),
]


def table() -> dict[str, dict[str, dict[str, object]]]:
    return yaml.safe_load(TREATIES_FILE.read_text(encoding="utf-8"))["states"]


@pytest.mark.parametrize("read", READ, ids=lambda r: f"{r.state}-{r.instrument}-{r.source[:24]}")
def test_the_table_gives_the_date_a_public_text_states(read: Read) -> None:
    entry = table()[read.state][read.instrument]
    expected = read.in_force or in_force_after_deposit(read.instrument, read.deposited)  # type: ignore[arg-type]
    assert entry["in_force"] == expected, read.source
    if read.deposited is not None:
        written = f"{read.deposited.day} {read.deposited:%B %Y}"
        assert written in str(entry.get("declarations", "")), (written, read.source)
    if read.ceased is not None:
        assert entry["ceased"] == read.ceased, read.source


def test_the_table_reads_each_deposit_by_the_instruments_own_rule() -> None:
    """Every entry whose note gives the deposit is in force on the day the instrument's rule gives for it (a
    table entry typed by hand against its own note: a slip of a day shows here)."""
    wrong = []
    for state, instruments in table().items():
        for instrument, entry in instruments.items():
            note = str(entry.get("declarations", ""))
            if instrument not in OWN_ENTRY_INTO_FORCE or "deposited" not in note:
                continue
            words = note.split("deposited ", 1)[1].split()[:3]
            deposited = dt.datetime.strptime(" ".join(words).rstrip(";,"), "%d %B %Y").date()
            if entry["in_force"] != in_force_after_deposit(instrument, deposited):
                wrong.append((state, instrument, deposited, entry["in_force"]))
    assert wrong == []
