"""A real LDAP directory for the sign-in tests: Debian's slapd, started here in a temporary folder on
a free port, with a small test directory loaded by ldapadd (no mocked client: the application binds
over TCP as it would to the unit's server)."""

import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from tests.object_storage import free_port

SUFFIX = "dc=example,dc=org"
PEOPLE = f"ou=people,{SUFFIX}"
ROOT_DN, ROOT_PASSWORD = f"cn=admin,{SUFFIX}", "directory-root-secret"
CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {work}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{root}"
rootpw {password}
directory {work}/data
"""


def person(uid, name, mail, password):
    return (f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {name[0]}\n"
            f"mail: {mail}\nuserPassword: {password}\n")


def entries(people):
    base = (f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: 某某市\n\n"
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n")
    return "\n".join([base, *(person(*entry) for entry in people)])


@contextmanager
def running_directory(tmp_path: Path, people):
    """(url) of a slapd holding these people: (uid, name, mail, password) each."""
    for tool in ("slapd", "ldapadd"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise RuntimeError(f"{tool} is missing: scripts/system-packages.sh installs slapd and ldap-utils")
    work = tmp_path / "slapd"
    (work / "data").mkdir(parents=True)
    (work / "slapd.conf").write_text(CONFIG.format(work=work, suffix=SUFFIX, root=ROOT_DN, password=ROOT_PASSWORD))
    port = free_port()
    url = f"ldap://127.0.0.1:{port}"
    slapd = shutil.which("slapd") or "/usr/sbin/slapd"
    process = subprocess.Popen([slapd, "-d", "0", "-f", str(work / "slapd.conf"), "-h", url + "/"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _attempt in range(100):
            probe = subprocess.run(["ldapsearch", "-x", "-H", url, "-b", "", "-s", "base"], capture_output=True)
            if probe.returncode in (0, 32):
                break
            if process.poll() is not None:
                raise RuntimeError(f"slapd did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
        loaded = subprocess.run(["ldapadd", "-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
                                input=entries(people).encode(), capture_output=True)
        if loaded.returncode != 0:
            raise RuntimeError(f"ldapadd failed: {loaded.stderr.decode()}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
