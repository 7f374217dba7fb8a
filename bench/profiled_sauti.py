"""`sauti` under cProfile, for the part of its life a bench chooses: SIGUSR1 starts the
profiler, SIGUSR2 stops it and writes the statistics to the file named first.

    .venv/bin/python bench/profiled_sauti.py /tmp/sauti.prof run

Start-up (imports, aiogram's pydantic models) would otherwise dominate the profile of a short
run; `bench/versus_aiogram.py --profile` profiles its closed-loop phase only.
"""

from __future__ import annotations

import cProfile
import signal
import sys
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    output, arguments = sys.argv[1], sys.argv[2:]
    profiler = cProfile.Profile()

    def start(_signal: int, _frame: FrameType | None) -> None:
        profiler.enable()

    def stop(_signal: int, _frame: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(output)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    from bot.cli import main as sauti

    sys.argv = ["sauti", *arguments]
    return sauti()


if __name__ == "__main__":
    sys.exit(main())
