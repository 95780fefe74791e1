"""Time helpers for the generator: fast HubSpot timestamps, arrival intensity, reps' working hours."""

from __future__ import annotations

import bisect
import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from onefunnel.portal import model

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000

_EPOCH = date(1970, 1, 1)
_DAY_CACHE: dict[int, str] = {}
# Lookup tables make `iso` a few dict/list hits instead of formatting (it runs millions of times).
_HM = [f"T{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SSMS = [f"{s:02d}.{ms:03d}Z" for s in range(60) for ms in range(1000)]


def iso(ms: int) -> str:
    """Same text as store.iso_ms ("2025-03-04T15:22:10.123Z"), several times faster."""
    day, rem = divmod(ms, DAY_MS)
    d = _DAY_CACHE.get(day)
    if d is None:
        d = (_EPOCH + timedelta(days=day)).isoformat()
        _DAY_CACHE[day] = d
    minute, within = divmod(rem, MINUTE_MS)
    return d + _HM[minute] + _SSMS[within]


def iso_date(ms: int) -> str:
    return (_EPOCH + timedelta(days=ms // DAY_MS)).isoformat()


def parse_iso(text: str) -> int:
    """Epoch ms of an ISO timestamp as written by `iso` (or any ISO-8601 with offset or Z)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def day_start(ms: int) -> int:
    return ms - ms % DAY_MS


def utc_offset_ms(tz: ZoneInfo, day_index: int) -> int:
    """UTC offset (ms) of a zone at local noon of a UTC day index (days since epoch)."""
    moment = datetime(1970, 1, 1, 12, tzinfo=UTC) + timedelta(days=day_index)
    off = moment.astimezone(tz).utcoffset()
    return int(off.total_seconds() * 1000) if off else 0


# ---------------------------------------------------------------- arrivals


def day_weights(first_day: int, n_days: int, growth_origin_day: int) -> np.ndarray:
    """Relative contact arrival intensity per UTC day: monthly growth x seasonality x weekday."""
    days = np.arange(first_day, first_day + n_days)
    months = (days - growth_origin_day) / 30.44
    dates = days.astype("datetime64[D]")
    month_of_year = dates.astype("datetime64[M]").astype(int) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    season = np.asarray(model.SEASONALITY)[month_of_year]
    weekend = np.where(weekday >= 5, model.WEEKEND_FACTOR, 1.0)
    return np.power(model.MONTHLY_GROWTH, months) * season * weekend


class ArrivalModel:
    """Samples contact creation times; one daily base rate shared by generation and `advance`."""

    def __init__(self, origin_day: int, tz_name: str, base_per_day: float = 1.0) -> None:
        self.origin_day = origin_day
        self.tz = ZoneInfo(tz_name)
        self.base_per_day = base_per_day
        hw = np.asarray(model.HOUR_WEIGHTS, dtype=float)
        self.hour_cdf = np.cumsum(hw) / hw.sum()

    def expected(self, start_ms: int, end_ms: int) -> float:
        first, n = self._days(start_ms, end_ms)
        return float(day_weights(first, n, self.origin_day).sum()) * self.base_per_day

    def _days(self, start_ms: int, end_ms: int) -> tuple[int, int]:
        first = start_ms // DAY_MS
        last = (end_ms - 1) // DAY_MS
        return first, max(last - first + 1, 1)

    def sample(self, rng: np.random.Generator, n: int, start_ms: int, end_ms: int) -> list[int]:
        """n creation times in [start_ms, end_ms), sorted. Samples whole days, then rejects the overhang."""
        first, n_days = self._days(start_ms, end_ms)
        w = day_weights(first, n_days, self.origin_day)
        cdf = np.cumsum(w) / w.sum()
        offsets = np.asarray([utc_offset_ms(self.tz, first + i) for i in range(n_days)], dtype=np.int64)
        out = np.empty(0, dtype=np.int64)
        need = n
        while need > 0:
            k = max(need * 2, 16)
            day_idx = np.minimum(np.searchsorted(cdf, rng.random(k)), n_days - 1)
            hour = np.minimum(np.searchsorted(self.hour_cdf, rng.random(k)), 23)
            within = rng.integers(0, HOUR_MS, size=k)
            ms = (first + day_idx) * DAY_MS - offsets[day_idx] + hour * HOUR_MS + within
            ms = ms[(ms >= start_ms) & (ms < end_ms)]
            out = np.concatenate([out, ms[:need]])
            need = n - len(out)
        out.sort()
        return [int(x) for x in out]


# ---------------------------------------------------------------- working hours


class WorkCalendar:
    """A rep's working intervals in UTC ms; snapping a moment moves it into working time."""

    def __init__(self, tz_name: str, start_hour: float, end_hour: float, first_ms: int, last_ms: int) -> None:
        tz = ZoneInfo(tz_name)
        starts: list[int] = []
        ends: list[int] = []
        first_day = first_ms // DAY_MS - 1
        last_day = last_ms // DAY_MS + 2
        for d in range(first_day, last_day):
            weekday = (d + 3) % 7
            if weekday >= 5:
                continue
            off = utc_offset_ms(tz, d)
            s = d * DAY_MS - off + int(start_hour * HOUR_MS)
            starts.append(s)
            ends.append(d * DAY_MS - off + int(end_hour * HOUR_MS))
        self.starts = starts
        self.ends = ends

    def snap(self, ms: int, jitter_ms: int = 0) -> int:
        """`ms` if it falls in working time, else the next working start plus `jitter_ms`."""
        i = bisect.bisect_right(self.starts, ms)
        if i > 0 and ms < self.ends[i - 1]:
            return ms
        if i >= len(self.starts):
            return ms
        return self.starts[i] + jitter_ms

    def is_working(self, ms: int) -> bool:
        i = bisect.bisect_right(self.starts, ms)
        return i > 0 and ms < self.ends[i - 1]


def lognormal_ms(r, median_days: float, sigma: float) -> int:
    """A lognormal delay in ms with the given median (days); `r` is a random.Random."""
    return int(median_days * DAY_MS * math.exp(sigma * r.gauss(0.0, 1.0)))
