# tests/system/terminal.py — run a command on a pseudo-terminal, as an official at
# the keyboard: answer each passphrase prompt with the next ANSWER, print what
# the terminal showed, exit with the command's status.
#
#   python3 terminal.py ANSWER... -- CMD ARG...
#
# A prompt is "…passphrase for NAME: " or "…passphrase again: ".  Bounded: the
# command is killed after 60 s.
import os
import pty
import re
import select
import signal
import sys
import time

i = sys.argv.index("--")
answers, cmd = sys.argv[1:i], sys.argv[i + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
prompt = re.compile(rb'(passphrase for [^"\n]*|passphrase again): ')
out, answered, deadline = b"", 0, time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if not r:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    while answered < len(prompt.findall(out)) and answers:
        os.write(fd, answers.pop(0).encode() + b"\n")
        answered += 1
else:
    os.kill(pid, signal.SIGKILL)
    out += b"\n[terminal.py: killed after 60 s]\n"
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace").replace("\r\n", "\n"))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
