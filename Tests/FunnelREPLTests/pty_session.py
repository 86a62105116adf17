#!/usr/bin/env python3
"""Drives `funnel repl` in a real pseudo-terminal, as a person would.

    python3 pty_session.py FUNNEL_BINARY REPO_DIR [SCENARIO]

Scenarios: basic (Tab completion, running a funnel, Ctrl-C clearing a line, history recall
with the up arrow, also in a second session, Ctrl-D), pager (long results through $PAGER,
:pager off, a pager that cannot start), history (a multi-line block is one history entry),
ctrl-c (^C, a new line and a fresh prompt, also inside a block), cancel (Ctrl-C while a long
query runs). Exits 0 when every step behaves; prints what it saw otherwise.
"""
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import sys
import tempfile
import termios
import time

BIN, REPO = sys.argv[1], sys.argv[2]
SCENARIO = sys.argv[3] if len(sys.argv) > 3 else "basic"
HIST = os.path.join(tempfile.mkdtemp(), "history")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


class Term:
    def __init__(self, args=("examples/ecommerce.funnel",), env=None, rows=50, cols=200):
        base = {k: v for k, v in os.environ.items() if k not in ("PAGER", "FUNNEL_PAGER")}
        # Scenarios other than the pager's show every result directly.
        env = env if env is not None else {"FUNNEL_PAGER": ""}
        env = dict(base, FUNNEL_HISTORY=HIST, TERM="xterm", NO_COLOR="1", COLUMNS=str(cols), LINES=str(rows), **env)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(REPO)
            os.execve(BIN, [BIN, "repl", *args], env)
        # The terminal's size, as a terminal window sets it.
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.seen = b""

    def screen(self):
        return ANSI.sub(b"", self.seen)

    def read_until(self, pattern, timeout=20):
        deadline = time.time() + timeout
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        while time.time() < deadline:
            if rx.search(self.screen()):
                return True
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.seen += chunk
        return bool(rx.search(self.screen()))

    def mark(self):
        self.seen = b""

    def send(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)
        time.sleep(0.3)

    def wait_for_signals(self, on=True, timeout=20):
        """Waits until the terminal turns Ctrl-C into SIGINT (on: the line editor has handed the
        terminal back), or until it does not (the editor reads keys; it switches only once the
        prompt is drawn)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if bool(termios.tcgetattr(self.fd)[3] & termios.ISIG) == on:
                return True
            time.sleep(0.02)
        return False

    def wait(self, timeout=90):
        # Generous: the session exits as soon as it can, but under AddressSanitizer on a loaded
        # machine letting go of its data can take many seconds.
        # (Returns None when it has not exited by then.)
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                r, _, _ = select.select([self.fd], [], [], 0.2)
                if r:
                    self.seen += os.read(self.fd, 65536)
            except OSError:
                time.sleep(0.1)
        return None


failures = []


def check(ok, what, term):
    if not ok:
        failures.append(what)
        print(f"FAILED: {what}\n--- screen ---\n{term.screen().decode(errors='replace')[-1500:]}\n--------------")


def basic():
    t = Term()
    check(t.read_until(r"funnel> "), "first prompt", t)

    # Tab completes a funnel's name, Enter runs it.
    t.mark(); t.send("chec\t")
    check(t.read_until(r"checkout "), "Tab completes 'chec' to 'checkout'", t)
    t.mark(); t.send("\r")
    check(t.read_until(r"funnel checkout .*window 7d") and t.read_until(r"funnel> "), "the completed funnel runs", t)

    # Tab on two candidates inserts their common prefix; then an inline funnel runs.
    t.mark(); t.send("view -> ca\t")
    check(t.read_until(r"view -> cart"), "Tab inserts the common prefix 'cart'", t)
    t.send(" -> purchase\r")
    check(t.read_until(r"funnel inline") and t.read_until(r"funnel> "), "an inline funnel runs", t)

    # Tab inside a string completes a value of the compared property.
    t.mark(); t.send("view -> cart where device == \"mo\t")
    check(t.read_until(r'device == "mobile"'), "Tab completes a property value", t)
    t.send("\r")
    check(t.read_until(r"funnel inline") and t.read_until(r"funnel> "), "the funnel with the completed value runs", t)

    # Ctrl-C clears the line; nothing runs and the session goes on.
    t.mark(); t.send("this line is cancelled"); t.send("\x03")
    check(t.read_until(r"\^C") and t.read_until(r"funnel> "), "Ctrl-C gives a fresh prompt", t)
    check(b"error" not in ANSI.sub(b"", t.seen), "Ctrl-C does not run the cancelled line", t)

    # An error, then recovery.
    t.mark(); t.send("view -> cart by devise\r")
    check(t.read_until(r"did you mean 'device'") and t.read_until(r"funnel> "), "an error is shown and the session goes on", t)

    # The up arrow recalls history.
    t.mark(); t.send("\x1b[A")
    check(t.read_until(r"view -> cart by devise"), "up arrow recalls the last line", t)
    t.send("\x1b[A")
    check(t.read_until(r'where device == "mobile"'), "up arrow again recalls the line before", t)
    t.mark(); t.send("\r")
    check(t.read_until(r"funnel inline") and t.read_until(r"funnel> "), "a recalled line runs", t)

    # Ctrl-D ends the session with status 0.
    t.send("\x04")
    code = t.wait()
    check(code == 0, f"Ctrl-D exits with status 0 (got {code})", t)

    # A second session finds the history.
    check(os.path.exists(HIST) and "checkout" in open(HIST, errors="replace").read(), "history is saved to the history file", t)
    t2 = Term()
    check(t2.read_until(r"funnel> "), "second session starts", t2)
    t2.mark(); t2.send("\x1b[A")
    check(t2.read_until(r'where device == "mobile"'), "the second session recalls the first one's history", t2)
    t2.send("\x15")        # Ctrl-U clears the recalled line
    t2.send(":quit\r")
    code = t2.wait()
    check(code == 0, f":quit exits with status 0 (got {code})", t2)


def pager():
    # A pager that marks what goes through it; 30 rows: checkout (about 50 lines) is taller,
    # repeat_checkout (about 24) fits.
    marker = {"PAGER": "sed 's/^/PAGED /'"}
    t = Term(env=marker, rows=30, cols=120)
    check(t.read_until(r"funnel> "), "first prompt", t)
    t.mark(); t.send("checkout\r")
    check(t.read_until(r"PAGED   expects") and t.read_until(r"funnel> "), "a result taller than the terminal goes through $PAGER", t)
    check(re.search(rb"PAGED funnel checkout", t.screen()) is not None, "the whole result is paged, from its first line", t)
    t.mark(); t.send("repeat_checkout\r")
    check(t.read_until(r"expects") and t.read_until(r"funnel> "), "a short result is shown", t)
    check(b"PAGED" not in t.screen(), "a result that fits is not paged", t)
    t.mark(); t.send("chekout by device\r")
    check(t.read_until(r"did you mean 'checkout'") and t.read_until(r"funnel> "), "an error is shown", t)
    check(b"PAGED" not in t.screen(), "an error is not paged", t)
    t.mark(); t.send(":pager off\r")
    check(t.read_until(r"pager: off"), ":pager off answers", t)
    t.mark(); t.send("checkout\r")
    check(t.read_until(r"  expects") and t.read_until(r"funnel> "), "with :pager off the result is shown", t)
    check(b"PAGED" not in t.screen(), ":pager off stops the pager", t)
    t.send(":pager on\r")
    out = os.path.join(tempfile.mkdtemp(), "out.txt")
    t.mark(); t.send(f":once {out}\r"); t.send("checkout\r")
    check(t.read_until(r"wrote the result to") and t.read_until(r"funnel> "), ":once writes the result to the file", t)
    check(b"PAGED" not in t.screen(), "a result written to a file is not paged", t)
    check(os.path.exists(out) and "PAGED" not in open(out).read() and "funnel checkout" in open(out).read(), "the file has the result, unpaged", t)
    t.mark(); t.send("checkout\r")
    check(t.read_until(r"PAGED   expects") and t.read_until(r"funnel> "), ":pager on pages again", t)
    t.send("\x04")
    check(t.wait() == 0, "Ctrl-D ends the session", t)

    # A pager that cannot be started: the result is printed directly, nothing is lost.
    t2 = Term(env={"PAGER": "/nonexistent/pager"}, rows=30, cols=120)
    check(t2.read_until(r"funnel> "), "second session starts", t2)
    t2.mark(); t2.send("checkout\r")
    check(t2.read_until(r"funnel checkout") and t2.read_until(r"aov > 20") and t2.read_until(r"funnel> "),
          "when the pager cannot start the result is shown directly", t2)
    t2.send("\x04")
    check(t2.wait() == 0, "Ctrl-D ends the second session", t2)

    # An empty FUNNEL_PAGER switches paging off, whatever PAGER says.
    t3 = Term(env=dict(marker, FUNNEL_PAGER=""), rows=30, cols=120)
    check(t3.read_until(r"funnel> "), "third session starts", t3)
    t3.mark(); t3.send("checkout\r")
    check(t3.read_until(r"aov > 20") and t3.read_until(r"funnel> "), "the result is shown", t3)
    check(b"PAGED" not in t3.screen(), "FUNNEL_PAGER='' switches paging off", t3)
    t3.send("\x04")
    t3.wait()

    # A terminal that does not say how tall it is (0 rows, as script(1) makes, and no LINES):
    # no result is known to be taller than it, nothing is paged.
    t4 = Term(env=marker, rows=0, cols=120)
    check(t4.read_until(r"funnel> "), "fourth session starts", t4)
    t4.mark(); t4.send("checkout\r")
    check(t4.read_until(r"aov > 20") and t4.read_until(r"funnel> "), "the result is shown", t4)
    check(b"PAGED" not in t4.screen(), "a screen of unknown height is not paged for", t4)
    t4.send("\x04")
    t4.wait()


BLOCK = ["funnel blk {", '  step v = "view"  step p = "purchase"', "}"]


def history():
    t = Term()
    check(t.read_until(r"funnel> "), "first prompt", t)
    t.mark()
    for line in BLOCK:
        t.send(line + "\r")
    check(t.read_until(r"defined funnel blk \(2 steps\)") and t.read_until(r"funnel> "), "a three-line block defines a funnel", t)
    t.mark(); t.send("checkout by country\r")
    check(t.read_until(r"country = ") and t.read_until(r"funnel> "), "another line runs", t)
    # Up twice: past `checkout by country` to the block, recalled whole (not its last line, `}`).
    t.mark(); t.send("\x1b[A"); t.send("\x1b[A")
    check(t.read_until(r"funnel blk \{\n  step v = \"view\"  step p = \"purchase\"\n\}"), "the up arrow recalls the whole block", t)
    t.mark(); t.send("\r")
    check(t.read_until(r"redefined funnel blk \(2 steps\)") and t.read_until(r"funnel> "), "Enter runs the recalled block again", t)
    t.send("\x04")
    check(t.wait() == 0, "Ctrl-D ends the session", t)
    entries = open(HIST, errors="replace").read().split("\n")[1:]
    blocks = [e for e in entries if "blk" in e]
    # libedit writes a line break inside an entry as \012 (and a space as \040).
    whole = "\\012".join(line.replace(" ", "\\040") for line in BLOCK)
    check(len(blocks) == 2 and all(b == whole for b in blocks), f"the history file has the block as one entry, each time it ran: {blocks}", t)
    check("}" not in entries and not any(e.startswith("\\040\\040step") for e in entries), f"no line of the block is an entry of its own: {entries}", t)

    # The next session recalls the block from the file and runs it.
    t2 = Term()
    check(t2.read_until(r"funnel> "), "second session starts", t2)
    t2.mark(); t2.send("\x1b[A")
    check(t2.read_until(r"funnel blk \{\n  step v"), "the second session recalls the block", t2)
    t2.mark(); t2.send("\r")
    check(t2.read_until(r"defined funnel blk \(2 steps\)"), "the second session runs the block recalled from the file", t2)
    t2.send("\x04")
    t2.wait()


def ctrl_c():
    t = Term()
    check(t.read_until(r"funnel> "), "first prompt", t)
    # The cursor in the middle of the line: ^C still goes after its end.
    t.wait_for_signals(on=False)
    t.mark(); t.send("abcdef"); t.send("\x1b[D\x1b[D\x1b[D"); t.send("\x03")
    check(t.read_until(r"\^C\nfunnel> "), "Ctrl-C at the prompt: ^C, a new line, a fresh prompt", t)
    check(re.search(rb"def\^C", t.screen()) is not None, "^C is written after the end of the line", t)
    t.mark(); t.send("repeat_checkout\r")
    check(t.read_until(r"funnel repeat_checkout") and t.read_until(r"funnel> "), "the session goes on", t)
    # Inside a block: the block is dropped and the primary prompt comes back.
    t.mark(); t.send("funnel half {\r")
    check(t.read_until(r"\.\.\.> "), "a block continues", t)
    t.wait_for_signals(on=False)
    t.send('  step v = "view"'); t.send("\x03")
    check(t.read_until(r"\^C\nfunnel> "), "Ctrl-C in a block: ^C, a new line, the primary prompt", t)
    # Were the block kept, this line would go into it and nothing would run.
    t.mark(); t.send("repeat_checkout\r")
    check(t.read_until(r"funnel repeat_checkout") and t.read_until(r"funnel> "), "the block was dropped: the next line runs", t)
    t.mark(); t.send(":funnels\r")
    check(t.read_until(r"repeat_checkout: ") and t.read_until(r"funnel> "), ":funnels answers", t)
    check(b"half" not in t.screen(), "the dropped block defined nothing", t)
    t.send("\x04")
    check(t.wait() == 0, "Ctrl-D ends the session", t)


def cancel():
    # Enough events that a query takes seconds: Ctrl-C comes while it runs.
    folder = tempfile.mkdtemp()
    try:
        with open(os.path.join(folder, "events.csv"), "w") as f:
            f.write("user,time,event\n")
            names = ["view", "cart", "buy"]
            f.write("".join(f"u{i % 150000},2024-01-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z,{names[i % 3]}\n" for i in range(1_000_000)))
        with open(os.path.join(folder, "f.funnel"), "w") as f:
            f.write('source e = csv("events.csv") { user = user  time = time  event = event }\n')
            f.write('funnel f {\n  step v = "view"\n  step c = "cart"\n  step b = "buy"\n}\n')
        t = Term(args=(os.path.join(folder, "f.funnel"),))
        check(t.read_until(r"1,000,000 events in memory", timeout=120) and t.read_until(r"funnel> "), "the events are loaded", t)
        # The editor reads keys with ISIG off (Ctrl-C is a key there); the query runs with it on.
        check(t.wait_for_signals(on=False), "at the prompt Ctrl-C is a key, not a signal", t)
        t.mark(); t.send("f\r")
        check(t.wait_for_signals(), "the terminal is back in its usual mode while the query runs", t)
        time.sleep(0.3)      # past the instant between the editor's return and the query's start
        check(b"funnel f " not in t.screen(), "the query is still running when Ctrl-C comes (make the data larger)", t)
        t.send("\x03")
        check(t.read_until(r"\^C\ncancelled\nfunnel> ", timeout=60), "Ctrl-C cancels the query: ^C, then 'cancelled' on its own line, then a prompt", t)
        check(b"funnel f " not in t.screen(), "a cancelled query shows no figures", t)
        # The terminal is back in editing mode: keys are keys, Ctrl-C clears a line.
        check(t.wait_for_signals(on=False), "the editor has the terminal again", t)
        t.mark(); t.send("abc"); t.send("\x03")
        check(t.read_until(r"abc\^C\nfunnel> "), "after a cancelled query Ctrl-C at the prompt is a key again", t)
        t.mark(); t.send(":schema\r")
        check(t.read_until(r"1,000,000 rows") and t.read_until(r"funnel> "), "the session goes on with its data", t)
        t.send("\x04")
        # A million events to let go of: under AddressSanitizer on a loaded machine that takes seconds.
        code = t.wait(timeout=120)
        check(code == 0, f"Ctrl-D ends the session with status 0 (got {'no exit in 120 s' if code is None else code})", t)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


SCENARIOS = {"basic": basic, "pager": pager, "history": history, "ctrl-c": ctrl_c, "cancel": cancel}
SCENARIOS[SCENARIO]()
print(f"pty session {SCENARIO}:", "ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
