"""The entry phase (信息录入阶段) and the pace it requires.

``ENTRY_PHASE_START`` / ``ENTRY_PHASE_END`` (ISO dates, config or environment) default to 1 August –
30 November of the current year; the plan allows at most four months. A community lags when its
share entered is below the share of the phase already elapsed.
"""
import datetime
from dataclasses import dataclass
from typing import Optional

MAX_MONTHS = 4
DEFAULT_START, DEFAULT_END = (8, 1), (11, 30)


class PhaseError(ValueError):
    """The configured phase is unusable; the message says why, in Chinese."""


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _parse(value, name: str, default: tuple, year: int) -> datetime.date:
    if not value:
        return datetime.date(year, *default)
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise PhaseError(f"{name}“{value}”不是有效日期：请写成 2025-08-01 的格式") from None


@dataclass(frozen=True)
class EntryPhase:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def required_share(self, today: datetime.date) -> float:
        """The share of the target that should be entered by the end of ``today``."""
        elapsed = (min(today, self.end) - self.start).days + 1
        return min(max(elapsed / self.days, 0.0), 1.0)

    def weeks(self) -> list[datetime.date]:
        """Monday of every week the phase touches."""
        first = self.start - datetime.timedelta(days=self.start.weekday())
        return [first + datetime.timedelta(weeks=n)
                for n in range((self.end - first).days // 7 + 1)]


def entry_phase(config, today: Optional[datetime.date] = None) -> EntryPhase:
    """The configured phase, validated: start before end, at most four months long."""
    year = (today or datetime.date.today()).year
    start = _parse(config.get("ENTRY_PHASE_START"), "录入开始日期", DEFAULT_START, year)
    end = _parse(config.get("ENTRY_PHASE_END"), "录入结束日期", DEFAULT_END, year)
    if end < start:
        raise PhaseError(f"录入结束日期（{end}）早于开始日期（{start}）")
    if end >= _add_months(start, MAX_MONTHS):
        raise PhaseError(f"录入阶段（{start} 至 {end}）超过{MAX_MONTHS}个月：计划规定最长四个月")
    return EntryPhase(start, end)


def lagging(entered: int, target: Optional[int], required: float) -> bool:
    """Behind the pace: a target is set and the share entered is below the share required."""
    return bool(target) and entered < target * required
