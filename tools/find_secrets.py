"""Prove that no password whose digest was recorded appears in captured output.

    python tools/find_secrets.py DIGESTS_FILE OUTPUT_FILE...

DIGESTS_FILE has one "<length> <sha256 hex>" line per password (extensions/molecule/resources/verify_account.py
writes them). Every substring of each recorded length in the output files is hashed and compared, so the check
needs no password in clear. Exit 1 when a password is found (the file and line are named, never the password),
2 when no digest was recorded (the check would prove nothing), 0 otherwise.
"""

import hashlib
import sys
from pathlib import Path


def main(digests_file, output_files):
    digests = {}
    for line in Path(digests_file).read_text().split("\n"):
        if line.strip():
            length, digest = line.split()
            digests.setdefault(int(length), set()).add(digest)
    if not digests:
        print(f"find_secrets: no password digest in {digests_file}: nothing was checked", file=sys.stderr)
        return 2
    found = False
    for output_file in output_files:
        for number, line in enumerate(Path(output_file).read_text(errors="replace").split("\n"), start=1):
            for length, wanted in digests.items():
                for start in range(len(line) - length + 1):
                    if hashlib.sha256(line[start:start + length].encode()).hexdigest() in wanted:
                        print(f"find_secrets: a password appears in {output_file}, line {number}", file=sys.stderr)
                        found = True
    count = sum(len(wanted) for wanted in digests.values())
    if not found:
        print(f"find_secrets: none of {count} passwords appears in {', '.join(map(str, output_files))}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
