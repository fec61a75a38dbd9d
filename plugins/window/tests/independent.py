#!/usr/bin/env python3
"""Window results computed independently of Sluice (independent.test).

  independent.py gen N FILE     write N user events, out of order within a
                                bound and some far behind (late), to FILE
  independent.py check FILE DIR
                                compute what the jobs of independent.test
                                must write for FILE and compare with
                                DIR/tumbling.json, DIR/hopping.json,
                                DIR/session.json and the late and skipped
                                counts in DIR/*.log; then compare again
                                with one expected sum off by one, which
                                must fail (the check can fail)

The reference follows doc/operators.md (window, its functions) record by
record and window by window: no panes, no merging of partial results.
The watermark is the largest event time of the records taken so far (one
file input, idleness off); a record is late when every window that covers
it has end + allowed.lateness <= watermark (a session: when the session it
would form or extend has); the end of input fires every open window.
"""
import json
import random
import sys

TUMBLING = dict(size=60000, lateness=5000)
HOPPING = dict(size=60000, advance=15000, lateness=2000)
SESSION = dict(gap=10000, lateness=3000)
CLICK_LIMIT = 500  # count_if(amount > 500)


def generate(n, path):
    # Python's Mersenne Twister from an integer seed: the same numbers on
    # every Python 3
    rnd = random.Random(20261208).random
    t0 = -3600000  # an hour before the epoch: negative windows too
    newest = None
    lines = []
    for i in range(n):
        base = t0 + i * 30
        if rnd() < 0.003:
            ts = base - 10000 - int(rnd() * 170000)  # far behind
        else:
            ts = base - int(rnd() * 8000)  # out of order, bounded
        user = int(100 * rnd() ** 2)  # u0 busy, u99 rare
        kind = "click" if rnd() < 0.3 else "view"
        r = rnd()
        if r < 0.85:
            amount = ',"amount":%d' % (int(rnd() * 2001) - 1000)
        elif r < 0.90:
            # quarters: every sum of them is exact in a double
            amount = ',"amount":%r' % ((int(rnd() * 8001) - 4000) / 4.0)
        elif r < 0.94:
            amount = ',"amount":null'
        elif r < 0.9995:
            amount = ""
        else:
            # not a number: the record is a per-record error.  Its time
            # is behind the newest, so that it cannot move the watermark
            # whether or not an error counts as arrived.
            amount = ',"amount":"n/a"'
            ts = newest - int(rnd() * 1000)
        if newest is None or ts > newest:
            newest = ts
        # now and then a double time, floored
        lines.append('{"user":"u%d","kind":"%s"%s,"ts":%s}\n' %
                     (user, kind, amount,
                      "%.1f" % (ts + 0.5) if rnd() < 0.01 else "%d" % ts))
    with open(path, "w") as out:
        out.writelines(lines)


def read_events(path):
    """(key, time, amount or None, is click, bad) per record."""
    events = []
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            ts = e["ts"]
            if isinstance(ts, float):
                ts = int(ts // 1)
            amount = e.get("amount")
            bad = amount is not None and not isinstance(amount, (int, float))
            events.append((e["user"], ts, amount, e["kind"] == "click", bad))
    return events


# An accumulator: [count, sum in quarters, numbers, any double, min, max,
# clicks, amounts over CLICK_LIMIT].
def new_acc():
    return [0, 0, 0, False, None, None, 0, 0]


def fold(acc, amount, click):
    acc[0] += 1
    if click:
        acc[6] += 1
    if amount is None:
        return
    acc[1] += int(amount * 4)
    acc[2] += 1
    if isinstance(amount, float):
        acc[3] = True
    if acc[4] is None or amount < acc[4]:
        acc[4] = amount
    if acc[5] is None or amount > acc[5]:
        acc[5] = amount
    if amount > CLICK_LIMIT:
        acc[7] += 1


def result(key, start, end, acc):
    """The output record, its fields in the order of the job's list."""
    n, quarters, numbers, real, low, high, clicks, big = acc
    if real:
        total = quarters / 4.0
    else:
        total = quarters // 4
    return {"key": key, "window_start": start, "window_end": end,
            "n": n,
            "sum_amount": total,
            "avg_amount": (quarters / 4.0) / numbers if numbers else None,
            "min_amount": None if low is None else
            (float(low) if real else low),
            "top": None if high is None else (float(high) if real else high),
            "clicks": clicks,
            "count_if_2": big}


def fixed_windows(events, size, advance, lateness):
    """Tumbling (advance == size) and hopping windows: outputs in firing
    order (windows by start, a window's keys in the order they first came
    into it), late records, errors, and what the input exercised: records
    taken by only some of their windows (the others closed)."""
    wm = None
    windows = {}  # start -> {key: acc}, keys in arrival order
    outputs = []
    late = bad = partial = 0

    def fire_upto(limit):
        for start in sorted(s for s in windows if s + size <= limit):
            for key, acc in windows.pop(start).items():
                outputs.append(result(key, start, start + size, acc))

    for key, ts, amount, click, is_bad in events:
        if is_bad:
            bad += 1
            continue
        # every window [s, s + size) with s a multiple of advance and
        # s <= ts < s + size
        first = (ts - size) // advance * advance + advance
        took = missed = 0
        for start in range(first, ts + 1, advance):
            if wm is not None and start + size + lateness <= wm:
                missed = 1  # closed
                continue
            took = 1
            fold(windows.setdefault(start, {}).setdefault(key, new_acc()),
                 amount, click)
        if not took:
            late += 1
        elif missed:
            partial += 1
        if wm is None or ts > wm:
            wm = ts
            if windows and min(windows) + size + lateness <= wm:
                fire_upto(wm - lateness)
    fire_upto(float("inf"))
    seen = {"in only some of their windows": partial} if advance < size \
        else {}
    return outputs, late, bad, seen


def sessions(events, gap, lateness):
    """Session windows: outputs (in no particular order), late, errors,
    and what the input exercised: records that joined two sessions or
    more, records within gap of a closed session that started another."""
    wm = None
    open_ = {}  # key -> [[first, last, acc], ...]
    last_closed = {}  # key -> (first, last) of its latest closed session
    outputs = []
    late = bad = bridges = beside_closed = 0

    def closed(s):
        return wm is not None and s[1] + gap + lateness <= wm

    for key, ts, amount, click, is_bad in events:
        if is_bad:
            bad += 1
            continue
        mine = open_.setdefault(key, [])
        for s in [s for s in mine if closed(s)]:
            outputs.append(result(key, s[0], s[1] + gap, s[2]))
            last_closed[key] = (s[0], s[1])
            mine.remove(s)
        # [ts, ts + gap) merges with every open session it overlaps, and
        # so on until nothing more overlaps
        first, last, joined = ts, ts, set()
        grew = True
        while grew:
            grew = False
            for i, s in enumerate(mine):
                if i not in joined and s[0] < last + gap and \
                        first < s[1] + gap:
                    joined.add(i)
                    first, last = min(first, s[0]), max(last, s[1])
                    grew = True
        if wm is not None and last + gap + lateness <= wm:
            late += 1
            continue
        if len(joined) > 1:
            bridges += 1
        near = last_closed.get(key)
        if not joined and near and near[0] - gap < ts < near[1] + gap:
            beside_closed += 1
        acc = new_acc()
        for i in joined:
            merge(acc, mine[i][2])
        mine[:] = [s for i, s in enumerate(mine) if i not in joined]
        fold(acc, amount, click)
        mine.append([first, last, acc])
        if wm is None or ts > wm:
            wm = ts
    for key, mine in open_.items():
        for s in mine:
            outputs.append(result(key, s[0], s[1] + gap, s[2]))
    return outputs, late, bad, {
        "joining two sessions or more": bridges,
        "starting a session within gap of a closed one": beside_closed}


def merge(into, acc):
    into[0] += acc[0]
    into[1] += acc[1]
    into[2] += acc[2]
    into[3] = into[3] or acc[3]
    for i, better in ((4, min), (5, max)):
        if acc[i] is not None:
            into[i] = acc[i] if into[i] is None else better(into[i], acc[i])
    into[6] += acc[6]
    into[7] += acc[7]


def typed(record):
    """A record as (field, type, value)s: 1 and 1.0 differ, field order
    counts."""
    return tuple((k, type(v).__name__, v) for k, v in record.items())


def metric(log, name):
    """The window stage's NAME counter from the end-of-run summary."""
    with open(log) as f:
        for line in f:
            if "w: records in" in line:
                for part in line.split(","):
                    words = part.split()
                    if len(words) >= 2 and words[-2] == name:
                        return int(words[-1])
    return None


def read_outputs(path):
    """A job's outputs, typed, and whether their ends never go back."""
    with open(path) as f:
        got = [json.loads(line) for line in f]
    ends = [r.get("window_end") for r in got]
    return [typed(r) for r in got], all(a <= b for a, b in zip(ends, ends[1:]))


def compare(what, want, got, log, late, bad, ordered):
    """got: read_outputs()."""
    failures = 0
    got_t, in_end_order = got
    want_t = [typed(r) for r in want]
    if not ordered:
        # sessions fire by end; ties in any order
        if not in_end_order:
            print("not ok - %s: sessions not emitted in end order" % what)
            failures += 1
        want_t.sort()
        got_t = sorted(got_t)
    if want_t == got_t:
        print("ok - %s: %d outputs as computed independently"
              % (what, len(want)))
    else:
        failures += 1
        print("not ok - %s: %d outputs, %d expected" %
              (what, len(got_t), len(want)))
        shown = 0
        for i, (w, g) in enumerate(zip(want_t, got_t)):
            if w != g:
                print("#  output %d: want %s\n#  got %s" %
                      (i + 1, json.dumps(dict((k, v) for k, _, v in w)),
                       json.dumps(dict((k, v) for k, _, v in g))))
                shown += 1
                if shown == 3:
                    break
    for name, count in (("late", late), ("skipped", late + bad)):
        seen = metric(log, name)
        if seen == count:
            print("ok - %s: %s %d" % (what, name, count))
        else:
            failures += 1
            print("not ok - %s: %s %s, %d expected" % (what, name, seen, count))
    return failures


def mutated(outputs):
    """The outputs with one result changed: the first sum, plus one."""
    changed = [dict(r) for r in outputs]
    for r in changed:
        if isinstance(r["sum_amount"], int):
            r["sum_amount"] += 1
            return changed
    return None


def check(path, outdir):
    events = read_events(path)
    print("# %d events" % len(events))
    failures = 0
    runs = (("tumbling", lambda: fixed_windows(events, TUMBLING["size"],
                                               TUMBLING["size"],
                                               TUMBLING["lateness"]), True),
            ("hopping", lambda: fixed_windows(events, HOPPING["size"],
                                              HOPPING["advance"],
                                              HOPPING["lateness"]), True),
            ("session", lambda: sessions(events, SESSION["gap"],
                                         SESSION["lateness"]), False))
    for what, compute, ordered in runs:
        outputs, late, bad, seen = compute()
        print("# %s: %d late, %d not numbers" % (what, late, bad))
        # the input must reach the rules' corners, or the check proves
        # little about them
        for name, count in sorted(seen.items()):
            if count > 0:
                print("ok - %s: %d records %s" % (what, count, name))
            else:
                failures += 1
                print("not ok - %s: no records %s" % (what, name))
        log = "%s/%s.log" % (outdir, what)
        got = read_outputs("%s/%s.json" % (outdir, what))
        failures += compare(what, outputs, got, log, late, bad, ordered)
        wrong = mutated(outputs)
        out, sys.stdout = sys.stdout, open("/dev/null", "w")
        try:
            caught = wrong is not None and \
                compare(what, wrong, got, log, late, bad, ordered) > 0
        finally:
            sys.stdout.close()
            sys.stdout = out
        if caught:
            print("ok - %s: one expected sum changed, the check fails" % what)
        else:
            failures += 1
            print("not ok - %s: a changed expectation passes" % what)
    return failures


def main(argv):
    if len(argv) == 4 and argv[1] == "gen":
        generate(int(argv[2]), argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return 1 if check(argv[2], argv[3]) else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
