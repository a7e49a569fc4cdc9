"""The embedded infrastructure: FerretDB (or mongod), a private RabbitMQ node, the SMTP sink."""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from launcher.settings import ROOT, Settings

FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"
# Files added to FerretDB 1.24's source: the repository's file, and where it goes.
FERRETDB_FILES = {
    "launcher/ferretdb/pushdown.go": "internal/backends/sqlite/pushdown.go",
    "launcher/ferretdb/scalar.go": "internal/backends/sqlite/metadata/scalar.go",
}
_EXACT_PARAMS = (
    "\n\t// Set by the handler: apply ExactFilter, FieldSort, Skip and ExactLimit (or count) in the"
    "\n\t// backend if it can do all of them, and say so in the result's Exact.\n"
    "\tExact       bool\n\tExactFilter *types.Document\n\tFieldSort   *types.Document\n"
    "\tSkip        int64\n\tExactLimit  int64\n"
)
_FIND_EXACT = (
    "\tif !h.DisablePushdown && !cInfo.Capped() {\n"
    "\t\tqp.Exact, qp.ExactFilter, qp.Skip, qp.ExactLimit = true, params.Filter, params.Skip, params.Limit\n"
    '\t\tif params.Sort.Len() > 0 && params.Sort.Keys()[0] != "$natural" {\n'
    "\t\t\tqp.FieldSort = params.Sort\n\t\t}\n\t}\n\n"
)
# The lines that hook the added files in.
FERRETDB_PUSHDOWN = (
    (
        "internal/backends/collection.go",
        "\tOnlyRecordIDs bool\n\tComment       string\n}\n",
        "\tOnlyRecordIDs bool\n\tComment       string\n" + _EXACT_PARAMS + "\tCount       bool\n}\n",
    ),
    (
        "internal/backends/collection.go",
        "type QueryResult struct {\n\tIter types.DocumentsIterator\n}\n",
        "type QueryResult struct {\n\tIter types.DocumentsIterator\n\tExact bool\n\tCount int64\n}\n",
    ),
    (
        "internal/backends/collection.go",
        "type ExplainParams struct {\n\tFilter *types.Document\n\tSort   *types.Document\n\tLimit  int64\n",
        "type ExplainParams struct {\n\tFilter *types.Document\n\tSort   *types.Document\n\tLimit  int64\n"
        + _EXACT_PARAMS,
    ),
    (
        "internal/backends/sqlite/collection.go",
        "\tq := prepareSelectClause(meta.TableName, params.Comment, meta.Capped(), params.OnlyRecordIDs)\n",
        "\tif params.Exact && !meta.Capped() {\n\t\treturn queryExact(ctx, db, meta, params)\n\t}\n\n"
        "\tq := prepareSelectClause(meta.TableName, params.Comment, meta.Capped(), params.OnlyRecordIDs)\n",
    ),
    (
        "internal/backends/sqlite/collection.go",
        '\tselectClause := prepareSelectClause(meta.TableName, "", meta.Capped(), false)\n',
        "\tif params.Exact && !meta.Capped() {\n\t\treturn explainExact(ctx, db, meta, params)\n\t}\n\n"
        '\tselectClause := prepareSelectClause(meta.TableName, "", meta.Capped(), false)\n',
    ),
    (
        "internal/backends/sqlite/collection.go",
        "\tmeta := c.r.CollectionGet(ctx, c.dbName, c.name)\n\n"
        "\terr := db.InTransaction(ctx, func(tx *fsql.Tx) error {\n"
        "\t\tbatchSize",
        "\tmeta := c.r.CollectionGet(ctx, c.dbName, c.name)\n\n"
        "\tif fields := notScalar(meta, params.Docs); fields != nil {\n"
        "\t\tif err := c.r.MarkNotScalar(ctx, c.dbName, c.name, fields); err != nil {\n"
        "\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\t}\n\n"
        "\terr := db.InTransaction(ctx, func(tx *fsql.Tx) error {\n\t\tbatchSize",
    ),
    (
        "internal/backends/sqlite/collection.go",
        "\tq := fmt.Sprintf(`UPDATE %q SET %s = ? WHERE %s = ?`, meta.TableName, metadata.DefaultColumn, "
        "metadata.IDColumn)\n",
        "\tif fields := notScalar(meta, params.Docs); fields != nil {\n"
        "\t\tif err := c.r.MarkNotScalar(ctx, c.dbName, c.name, fields); err != nil {\n"
        "\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\t}\n\n"
        "\tq := fmt.Sprintf(`UPDATE %q SET %s = ? WHERE %s = ?`, meta.TableName, metadata.DefaultColumn, "
        "metadata.IDColumn)\n",
    ),
    (
        "internal/backends/sqlite/metadata/settings.go",
        '\tCappedDocuments int64       `json:"cappedDocuments"`\n}\n',
        '\tCappedDocuments int64       `json:"cappedDocuments"`\n'
        '\tNotScalar       []string    `json:"notScalar,omitempty"`\n}\n',
    ),
    (
        "internal/backends/sqlite/metadata/settings.go",
        '\tUnique bool           `json:"unique"`\n}\n',
        '\tUnique bool           `json:"unique"`\n\tScalar bool           `json:"scalar,omitempty"`\n}\n',
    ),
    (
        "internal/backends/sqlite/metadata/settings.go",
        "\t\t\tUnique: index.Unique,\n\t\t}\n",
        "\t\t\tUnique: index.Unique,\n\t\t\tScalar: index.Scalar,\n\t\t}\n",
    ),
    (
        "internal/backends/sqlite/metadata/settings.go",
        "\t\tCappedDocuments: s.CappedDocuments,\n\t}\n",
        "\t\tCappedDocuments: s.CappedDocuments,\n\t\tNotScalar:       slices.Clone(s.NotScalar),\n\t}\n",
    ),
    (
        "internal/backends/sqlite/metadata/registry.go",
        "\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\t}\n\n\treturn r, nil\n",
        "\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\t}\n\n"
        "\tif err = r.upgradeIndexes(context.Background()); err != nil {\n"
        "\t\tr.Close()\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n\n\treturn r, nil\n",
    ),
    (
        "internal/backends/sqlite/metadata/registry.go",
        "\t\tcolumns := make([]string, len(index.Key))\n\t\tfor i, key := range index.Key {\n",
        "\t\tcolumns := make([]string, len(index.Key))\n\t\tindex.Scalar = scalarIndex(index)\n"
        "\t\tfor i, key := range index.Key {\n"
        "\t\t\tif index.Scalar {\n\t\t\t\tcolumns[i] = scalarColumns(key.Field, key.Descending)\n"
        "\t\t\t\tcontinue\n\t\t\t}\n\n",
    ),
    (
        "internal/backends/sqlite/metadata/registry.go",
        "\t\tcreated = append(created, index.Name)\n"
        "\t\tc.Settings.Indexes = append(c.Settings.Indexes, index)\n",
        "\t\tcreated = append(created, index.Name)\n"
        "\t\tc.Settings.Indexes = append(c.Settings.Indexes, index)\n\n"
        "\t\tif index.Scalar {\n"
        "\t\t\tfields, err := r.notScalarInTable(ctx, dbName, c, index)\n"
        "\t\t\tif err != nil {\n\t\t\t\t_ = r.indexesDrop(ctx, dbName, collectionName, created)\n"
        "\t\t\t\treturn lazyerrors.Error(err)\n\t\t\t}\n\n"
        "\t\t\tfor _, field := range fields {\n"
        "\t\t\t\tif !slices.Contains(c.Settings.NotScalar, field) {\n"
        "\t\t\t\t\tc.Settings.NotScalar = append(c.Settings.NotScalar, field)\n\t\t\t\t}\n\t\t\t}\n\t\t}\n",
    ),
    (
        "internal/handler/msg_find.go",
        '\th.L.DebugContext(ctx, fmt.Sprintf("Converted %+v for %+v to %+v.", params, cInfo, qp))\n',
        _FIND_EXACT
        + '\th.L.DebugContext(ctx, fmt.Sprintf("Converted %+v for %+v to %+v.", params, cInfo, qp))\n',
    ),
    (
        "internal/handler/msg_find.go",
        "\titer, err := h.makeFindIter(queryRes.Iter, closer, params)\n",
        "\titer, err := h.makeFindIter(queryRes.Iter, closer, params, queryRes.Exact)\n",
    ),
    (
        "internal/handler/msg_find.go",
        "params *common.FindParams) (types.DocumentsIterator, error) {\n\tcloser.Add(iter)\n\n"
        "\titer = common.FilterIterator(iter, closer, params.Filter)\n\n"
        "\titer, err := common.SortIterator(iter, closer, params.Sort)\n",
        "params *common.FindParams, exact bool) (types.DocumentsIterator, error) {\n\tcloser.Add(iter)\n\n"
        "\tfilter, sort, skip, limit := params.Filter, params.Sort, params.Skip, params.Limit\n"
        "\tif exact { // the backend filtered, sorted, skipped and limited\n"
        "\t\tfilter, sort, skip, limit = must.NotFail(types.NewDocument()), nil, 0, 0\n\t}\n\n"
        "\titer = common.FilterIterator(iter, closer, filter)\n\n"
        "\titer, err := common.SortIterator(iter, closer, sort)\n",
    ),
    (
        "internal/handler/msg_find.go",
        "\titer = common.SkipIterator(iter, closer, params.Skip)\n\n"
        "\titer = common.LimitIterator(iter, closer, params.Limit)\n",
        "\titer = common.SkipIterator(iter, closer, skip)\n\n"
        "\titer = common.LimitIterator(iter, closer, limit)\n",
    ),
    (
        "internal/handler/msg_getmore.go",
        "h.makeFindIter(queryRes.Iter, closer, data.findParams)",
        "h.makeFindIter(queryRes.Iter, closer, data.findParams, false)",
    ),
    (
        "internal/handler/msg_count.go",
        "\tvar qp backends.QueryParams\n\tif !h.DisablePushdown {\n\t\tqp.Filter = params.Filter\n\t}\n\n"
        "\tqueryRes, err := c.Query(connCtx, &qp)\n\tif err != nil {\n"
        "\t\treturn nil, lazyerrors.Error(err)\n\t}\n",
        "\tvar qp backends.QueryParams\n\tif !h.DisablePushdown {\n\t\tqp.Filter = params.Filter\n"
        "\t\tqp.Exact, qp.ExactFilter, qp.Count = true, params.Filter, true\n"
        "\t\tqp.Skip, qp.ExactLimit = params.Skip, params.Limit\n"
        "\t}\n\n"
        "\tqueryRes, err := c.Query(connCtx, &qp)\n\tif err != nil {\n"
        "\t\treturn nil, lazyerrors.Error(err)\n\t}\n\n"
        "\tif queryRes.Exact {\n\t\tqueryRes.Iter.Close()\n\n"
        "\t\tn := int32(queryRes.Count)\n\n"
        '\t\treturn documentOpMsg(must.NotFail(types.NewDocument("n", n, "ok", float64(1))))\n'
        "\t}\n",
    ),
    (
        "internal/handler/msg_explain.go",
        "\tres, err := coll.Explain(connCtx, qp)\n",
        _FIND_EXACT + "\tres, err := coll.Explain(connCtx, qp)\n",
    ),
)
# Changes to FerretDB 1.24's source, each a line or two, and the hooks of the added files above;
# nothing else changes.
FERRETDB_PATCHES = (
    # Its SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but looks documents up by
    # `_ferretdb_sjson->'$._id'`, an expression SQLite does not match to that index: every find,
    # update and delete by `_id` read the whole collection (50 ms at 20,000 documents; 1 ms with
    # the index's own expression).
    (
        "internal/backends/sqlite/metadata/metadata.go",
        "IDColumn = DefaultColumn + \"->'$._id'\"",
        'IDColumn = DefaultColumn + `->"_id"`',
    ),
    # Its leak tracking records a stack trace in a pprof profile and sets a finalizer for every
    # iterator and cursor: a tenth of its CPU per query in `make bench`'s profile. It is a debugging
    # aid (a leak makes the finalizer panic); the build leaves it out.
    *(
        (
            "internal/util/resource/resource.go",
            f"func {name}(obj any, token *Token) {{\n\tcheckArgs(obj, token)\n",
            f"func {name}(obj any, token *Token) {{\n\tcheckArgs(obj, token)\n"
            "\tif token != nil {\n\t\treturn\n\t}\n",
        )
        for name in ("Track", "Untrack")
    ),
    # Its write transactions wait for SQLite's one write lock in SQLite's busy handler, which sleeps
    # (1, 2, 5, 10 ms...) between tries: under concurrent writers, time goes in sleeps, not writes.
    # The build makes them queue for it on a mutex instead (p99 from submission to email at 30
    # complaints a second: about 0.7 s instead of 1 s). Reads are not in transactions: unchanged.
    ("internal/util/fsql/db.go", '\t"log/slog"\n\t"time"\n', '\t"log/slog"\n\t"sync"\n\t"time"\n'),
    ("internal/util/fsql/db.go", "\tsqlDB     *sql.DB\n", "\tsqlDB     *sql.DB\n\twriteM    sync.Mutex\n"),
    (
        "internal/util/fsql/db.go",
        "func (db *DB) InTransaction(ctx context.Context, f func(*Tx) error) (err error) {\n",
        "func (db *DB) InTransaction(ctx context.Context, f func(*Tx) error) (err error) {\n"
        "\tdb.writeM.Lock()\n\tdefer db.writeM.Unlock()\n\n",
    ),
    # Its SQLite backend looks a document up by its `_id` index only when the filter is `{_id: v}`
    # alone: `{_id: v, status: "open"}` read the whole collection, and so did every update or
    # findAndModify with a condition beside the `_id` (a compare-and-set). The build looks up by
    # `_id` whenever the filter names one value for it (in queries and in their explanation); the
    # handler checks the rest of the filter on what that returns, as it does for every query (the
    # limit is never pushed down then).
    (
        "internal/backends/sqlite/collection.go",
        "\t// TODO https://github.com/FerretDB/FerretDB/issues/3235\n\tif params.Filter.Len() == 1 {\n",
        "\t// TODO https://github.com/FerretDB/FerretDB/issues/3235\n\tif params.Filter.Len() >= 1 {\n",
    ),
    # Its `update` and `findAndModify` read the matching documents, apply the operators in Go and
    # write the result back, with nothing between the read and the write: two concurrent `$inc`s of
    # one counter both read n and both write n + 1 (8 clients lost a tenth of their increments).
    # The build runs each collection's updates one at a time, read to write, as MongoDB's
    # document-level atomicity promises; reads, inserts and other collections' updates go on.
    ("internal/handler/msg_update.go", '\t"fmt"\n', '\t"fmt"\n\t"sync"\n'),
    (
        "internal/handler/msg_update.go",
        "func (h *Handler) updateDocument(ctx context.Context, params *common.UpdateParams) "
        "(int32, int32, *types.Array, error) {\n",
        "var updateLocks sync.Map\n\n"
        "func lockCollection(db, collection string) func() {\n"
        '\tm, _ := updateLocks.LoadOrStore(db+"."+collection, new(sync.Mutex))\n'
        "\tm.(*sync.Mutex).Lock()\n\treturn m.(*sync.Mutex).Unlock\n}\n\n"
        "func (h *Handler) updateDocument(ctx context.Context, params *common.UpdateParams) "
        "(int32, int32, *types.Array, error) {\n"
        "\tdefer lockCollection(params.DB, params.Collection)()\n\n",
    ),
    (
        "internal/handler/msg_findandmodify.go",
        "func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) "
        "(*findAndModifyResult, error) {\n",
        "func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) "
        "(*findAndModifyResult, error) {\n"
        "\tdefer lockCollection(params.DB, params.Collection)()\n\n",
    ),
    # Its SQLite backend answers no query in SQL but by `_id`: every listing read, filtered and
    # sorted the whole collection in Go (the staff queue: 15 s at 100,000 complaints). The build
    # adds two files (launcher/ferretdb/: pushdown.go, scalar.go) that answer conditions, sorts,
    # skips, limits and counts on indexed fields in SQL, with indexes of each field's type rank and
    # value; the handler asks for it and does only what SQL did not (the lines below hook them in).
    *FERRETDB_PUSHDOWN,
)
# The binary is named after its patches and added files: a change to them builds it again.
FERRETDB_BUILD = "ferretdb-{}-{}".format(
    FERRETDB_VERSION,
    hashlib.sha256(
        repr(FERRETDB_PATCHES).encode() + b"".join((ROOT / f).read_bytes() for f in FERRETDB_FILES)
    ).hexdigest()[:8],
)
RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
NGINX = Path("/usr/sbin/nginx")
TOOLS = ROOT / ".tools" / "bin"


class SetupError(RuntimeError):
    """Something the platform needs is missing and cannot be installed here."""


def _go() -> str:
    for candidate in (shutil.which("go"), "/usr/local/go/bin/go"):
        if candidate and Path(candidate).exists():
            return candidate
    raise SetupError(
        "FerretDB is built with Go, which is not installed: install Go 1.21 or later, "
        "or set MONGO_URL to a MongoDB server."
    )


def ensure_ferretdb(say) -> Path:
    """Return the FerretDB binary, building it once from the Go module proxy."""
    binary = TOOLS / FERRETDB_BUILD
    if binary.exists():
        return binary
    go = _go()
    say(f"building FerretDB {FERRETDB_VERSION} (once; about two minutes)...")
    info = json.loads(
        subprocess.run(
            [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
            check=True,
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),
        ).stdout
    )
    with tempfile.TemporaryDirectory(prefix="ferretdb-src-") as build:
        source = Path(build) / "src"
        shutil.copytree(info["Dir"], source)
        for path in source.rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)
        for added, target in FERRETDB_FILES.items():
            shutil.copyfile(ROOT / added, source / target)
        _patch(source)
        # A module download has no git metadata; FerretDB reads its version from these files.
        version_dir = source / "build" / "version"
        for name, value in (
            ("version", FERRETDB_VERSION),
            ("commit", "unknown"),
            ("branch", "unknown"),
            ("package", "source"),
        ):
            (version_dir / f"{name}.txt").write_text(value + "\n")
        TOOLS.mkdir(parents=True, exist_ok=True)
        partial = TOOLS / f".ferretdb-{os.getpid()}"
        subprocess.run(
            [go, "build", "-o", str(partial), "./cmd/ferretdb"],
            cwd=source,
            check=True,
            env={**os.environ, "CGO_ENABLED": "0"},
        )
        partial.replace(binary)
    return binary


KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.7.1"


def ensure_kustomize(say) -> Path:
    """Return kustomize (which renders deploy/kubernetes), built once from the Go module proxy."""
    binary = TOOLS / f"kustomize-{KUSTOMIZE_VERSION}"
    if binary.exists():
        return binary
    go = _go()
    say(f"building kustomize {KUSTOMIZE_VERSION} (once; about twenty seconds)...")
    with tempfile.TemporaryDirectory(prefix="kustomize-") as build:
        subprocess.run(
            [go, "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"],
            check=True,
            capture_output=True,
            cwd=build,
            env={**os.environ, "GOBIN": build, "CGO_ENABLED": "0"},
        )
        TOOLS.mkdir(parents=True, exist_ok=True)
        partial = TOOLS / f".kustomize-{os.getpid()}"
        shutil.move(str(Path(build) / "kustomize"), partial)
        partial.replace(binary)
    return binary


def _patch(source: Path) -> None:
    """Apply FERRETDB_PATCHES to FerretDB's source (each wherever its text is found)."""
    for path, before, after in FERRETDB_PATCHES:
        text = (source / path).read_text()
        if before not in text:
            raise SetupError(f"FerretDB {FERRETDB_VERSION}'s source is not as expected in {path}")
        (source / path).write_text(text.replace(before, after))


def store_command(settings: Settings, say) -> list[str]:
    """Return the command of the embedded document store: mongod when installed, else FerretDB."""
    port = settings.ports["store"]
    mongod = shutil.which("mongod")
    if mongod:
        folder = settings.data_dir / "mongod"
        folder.mkdir(parents=True, exist_ok=True)
        return [mongod, "--dbpath", str(folder), "--port", str(port), "--bind_ip", "127.0.0.1"]
    folder = settings.data_dir / "ferretdb"
    folder.mkdir(parents=True, exist_ok=True)
    return [
        str(ensure_ferretdb(say)),
        "--handler=sqlite",
        # WAL without a sync per commit: a commit survives the store's process being killed, and
        # the last ones may be lost to a power cut, as MongoDB's default journaling (flushed every
        # 100 ms) also allows. A sync per commit holds every write to about a thousand a second.
        f"--sqlite-url=file:{folder}/?_pragma=synchronous(normal)",
        f"--listen-addr=127.0.0.1:{port}",
        "--telemetry=disable",
        "--debug-addr=-",
        f"--state-dir={folder}",
        "--log-level=warn",
    ]


def ensure_rabbitmq(say) -> None:
    """Install Debian's rabbitmq-server when missing and running as root; else say what to do."""
    ensure_package(RABBITMQ_SERVER, "rabbitmq-server", say, "or set AMQP_URL to a broker")


def ensure_nginx(say) -> None:
    """Install Debian's nginx, the public entry point, when missing and running as root."""
    ensure_package(NGINX, "nginx", say, "then run `make run` again")


def ensure_package(program: Path, package: str, say, otherwise: str) -> None:
    """Install a Debian package when its program is missing and running as root; else say what to do."""
    if program.exists():
        return
    if os.geteuid() != 0:
        raise SetupError(
            f"{package} is not installed. Install it with `sudo apt-get install -y {package}`, {otherwise}."
        )
    say(f"installing {package} from Debian's packages...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", package], check=True, env=env, stdout=subprocess.DEVNULL
    )


def broker_program(settings: Settings) -> tuple[list[str], dict, str | None]:
    """Return the command, environment and user of a private RabbitMQ node under DATA_DIR."""
    port = settings.ports["amqp"]
    base = settings.data_dir / "rabbitmq"
    (base / "mnesia").mkdir(parents=True, exist_ok=True)
    (base / "log").mkdir(parents=True, exist_ok=True)
    plugins = base / "enabled_plugins"
    plugins.write_text("[].\n")
    env = {
        # Named after its AMQP port, which one program at a time holds: two nodes never share a name.
        "RABBITMQ_NODENAME": f"complaints-{port}@localhost",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        # Erlang's distribution listens on a port of the platform's own block (launcher/settings.py),
        # on loopback only, as every other port: epmd, shared by every node, finds it there.
        "RABBITMQ_DIST_PORT": str(settings.ports["amqp_dist"]),
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_PID_FILE": str(base / "rabbitmq.pid"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins),
    }
    user, account = None, None
    if os.geteuid() == 0:
        # The node runs as the package's user; it must own its folder and reach it.
        user = "rabbitmq"
        account = pwd.getpwnam(user)
        env["HOME"] = account.pw_dir
        for path in [base, *base.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
        _check_traversable(base, account.pw_uid)
    _ensure_erlang_cookie(Path(account.pw_dir) if account else Path.home(), account)
    return [str(RABBITMQ_SERVER)], env, user


def _ensure_erlang_cookie(home: Path, account: pwd.struct_passwd | None) -> None:
    """Make the user's Erlang cookie, when missing, in one step.

    Every node of a user reads ~/.erlang.cookie (as does rabbitmqctl); a node that finds none writes
    one, and two platforms' nodes starting together would both write it: one would then hold a
    cookie the file no longer has. The file appears whole, or not at all, and the first one stays.
    """
    cookie = home / ".erlang.cookie"
    if cookie.exists():
        return
    partial = home / f".erlang.cookie.{os.getpid()}"
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(20).upper())
        if account:
            os.chown(partial, account.pw_uid, account.pw_gid)
        os.link(partial, cookie)
    except OSError:
        pass  # made meanwhile, the one every node of this user reads; or a home not ours to write
    finally:
        partial.unlink(missing_ok=True)


def _check_traversable(folder: Path, uid: int) -> None:
    for parent in folder.parents:
        mode = parent.stat().st_mode
        if parent.stat().st_uid != uid and not mode & 0o001:
            raise SetupError(
                f"The rabbitmq user cannot reach {folder}: {parent} is not searchable "
                f"by others. Choose another DATA_DIR or `chmod o+x {parent}`."
            )
