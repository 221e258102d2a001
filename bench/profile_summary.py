"""Summarise a py-spy raw (collapsed stacks) profile: where the samples go, per thread.

    py-spy record --pid PID --duration 10 --rate 200 --threads --format raw -o profile.txt
    python bench/profile_summary.py profile.txt [--top 25]

Prints, for each thread, the functions with the most samples on top of the stack (self) and
the most samples anywhere in the stack (inclusive), as a % of that thread's samples. py-spy
leaves out the samples of a thread it sees idle, but not always (a thread blocked in a C
call, such as aiosqlite's worker waiting on its queue, may count as busy).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def _short(frame: str) -> str:
    """`function (path/to/module.py:12)` as `function (module.py)`."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    parts = path.replace("\\", "/").split("/")
    # Keep the package folder for the project's own modules and the libraries.
    for anchor in ("mockswitch", "aiohttp", "aiosqlite", "asyncio", "yarl", "multidict"):
        if anchor in parts:
            path = "/".join(parts[parts.index(anchor) :])
            break
    else:
        path = parts[-1]
    return f"{match['name']} ({path})"


def summarise(text: str) -> dict[str, tuple[int, Counter[str], Counter[str]]]:
    per_thread: dict[str, list] = defaultdict(lambda: [0, Counter(), Counter()])
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        thread = frames[0] if frames[0].startswith(("thread", "process")) else "all"
        frames = [f for f in frames if not f.startswith(("thread", "process"))]
        if not frames:
            continue
        n = int(count)
        entry = per_thread[thread]
        entry[0] += n
        entry[1][_short(frames[-1])] += n
        for name in {_short(f) for f in frames}:
            entry[2][name] += n
    return {k: (v[0], v[1], v[2]) for k, v in per_thread.items()}


def report(text: str, top: int = 25) -> str:
    threads = summarise(text)
    total = sum(t[0] for t in threads.values()) or 1
    lines = [f"{total} samples"]
    for thread, (samples, own, inclusive) in sorted(threads.items(), key=lambda t: -t[1][0]):
        lines.append(
            f"\n== {thread}: {samples} samples ({100 * samples / total:.1f}% of all); "
            "below, % of this thread's"
        )
        lines.append("  self:")
        for name, n in own.most_common(top):
            lines.append(f"    {100 * n / samples:5.1f}%  {name}")
        lines.append("  inclusive (leaving out the frames every sample passes through):")
        shown = [(name, n) for name, n in inclusive.most_common() if n < samples]
        for name, n in shown[:top]:
            lines.append(f"    {100 * n / samples:5.1f}%  {name}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path, help="py-spy --format raw output")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(report(args.profile.read_text(), args.top))


if __name__ == "__main__":
    main()
