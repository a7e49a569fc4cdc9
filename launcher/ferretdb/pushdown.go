// Added to FerretDB's SQLite backend by the platform's build (launcher/infra.py).
//
// FerretDB 1.24 reads a whole table for every query but one by `_id` alone, then filters, sorts,
// skips and limits in Go. This file answers queries in SQL instead, with the indexes declared by
// createIndexes (built of each field's MongoDB type rank and value, see metadata/scalar.go):
//
//   - conditions on `_id` and on indexed top-level fields: equality, $ne, $in, $nin, $gt, $gte,
//     $lt, $lte on null, numbers, strings, ObjectIDs, booleans and dates, under $and, $or, $nor;
//   - a sort on such fields, then skip and limit, and counts.
//
// A filter is answered "exactly" when every condition in it was translated; only then are sort,
// skip, limit and count applied in SQL and the handler skips doing them again. Otherwise the SQL
// condition is a superset (whatever could be translated) and the handler does everything, as
// before. A field that has ever held an array or an object is never translated (MongoDB's
// "any element" semantics), see Collection.ScalarFields.

package sqlite

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// condition is a SQL condition; sql "" means true.
type condition struct {
	sql   string
	args  []any
	exact bool
}

var (
	everything = condition{exact: true}
	nothing    = condition{sql: "0", exact: true}
	unknown    = condition{}
)

// translator translates filters and sorts of one collection.
type translator struct {
	scalar map[string]bool

	// pinned are the fields whose type every matching document shares (a condition at the top
	// level names it): sorting on their rank is a no-op, which SQLite's planner does not see.
	pinned map[string]bool
	nested bool // translating under $or or $nor
}

// and returns the conjunction of conditions.
func and(conds ...condition) condition {
	res := condition{exact: true}
	var parts []string

	for _, c := range conds {
		res.exact = res.exact && c.exact

		if c.sql != "" {
			parts = append(parts, "("+c.sql+")")
			res.args = append(res.args, c.args...)
		}
	}

	res.sql = strings.Join(parts, " AND ")

	return res
}

// or returns the disjunction of conditions (true if any of them is).
func or(conds ...condition) condition {
	if len(conds) == 0 {
		return nothing
	}

	res := condition{exact: true}
	var parts []string
	anyTrue := false

	for _, c := range conds {
		res.exact = res.exact && c.exact

		if c.sql == "" {
			anyTrue = true
			continue
		}

		parts = append(parts, "("+c.sql+")")
		res.args = append(res.args, c.args...)
	}

	if anyTrue {
		return condition{exact: res.exact}
	}

	res.sql = strings.Join(parts, " OR ")

	return res
}

// not returns the negation of an exact condition; a superset cannot be negated.
func not(c condition) condition {
	switch {
	case !c.exact:
		return unknown
	case c.sql == "":
		return nothing
	default:
		return condition{sql: "NOT (" + c.sql + ")", args: c.args, exact: true}
	}
}

// filter translates a filter document.
func (t *translator) filter(doc *types.Document) condition {
	if doc == nil {
		return everything
	}

	var conds []condition

	for _, key := range doc.Keys() {
		value := must.NotFail(doc.Get(key))

		switch key {
		case "$comment":
			continue
		case "$and", "$or", "$nor":
			arr, ok := value.(*types.Array)
			if !ok || arr.Len() == 0 {
				conds = append(conds, unknown)
				continue
			}

			subs := make([]condition, arr.Len())
			nested := t.nested
			t.nested = nested || key != "$and"

			for i := range subs {
				sub, ok := must.NotFail(arr.Get(i)).(*types.Document)
				if !ok {
					return unknown
				}

				subs[i] = t.filter(sub)
			}

			t.nested = nested

			switch key {
			case "$and":
				conds = append(conds, and(subs...))
			case "$or":
				conds = append(conds, or(subs...))
			default:
				conds = append(conds, not(or(subs...)))
			}
		default:
			if strings.HasPrefix(key, "$") {
				conds = append(conds, unknown)
				continue
			}

			conds = append(conds, t.field(key, value))
		}
	}

	return and(conds...)
}

// field translates the condition on one field.
func (t *translator) field(field string, value any) condition {
	if !t.scalar[field] || !metadata.ScalarFieldName(field) {
		return unknown
	}

	ops, ok := value.(*types.Document)
	if !ok || ops.Len() == 0 || !strings.HasPrefix(ops.Keys()[0], "$") {
		return t.pinnedEq(field, value)
	}

	var conds []condition

	for _, op := range ops.Keys() {
		arg := must.NotFail(ops.Get(op))

		switch op {
		case "$eq":
			conds = append(conds, t.pinnedEq(field, arg))
		case "$ne":
			conds = append(conds, not(t.eq(field, arg)))
		case "$in", "$nin":
			arr, ok := arg.(*types.Array)
			if !ok {
				return unknown
			}

			in := t.in(field, arr)
			if op == "$nin" {
				in = not(in)
			}

			conds = append(conds, in)
		case "$gt", "$gte", "$lt", "$lte":
			rank, v, ok := scalarValue(arg)
			if !ok || rank == metadata.RankNull {
				conds = append(conds, unknown)
				continue
			}

			sign := map[string]string{"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}[op]
			t.pin(field)
			conds = append(conds, condition{
				sql:   fmt.Sprintf("%s = %d AND %s %s ?", metadata.RankExpr(field), rank, metadata.ValueExpr(field), sign),
				args:  []any{v},
				exact: true,
			})
		default:
			conds = append(conds, unknown)
		}
	}

	return and(conds...)
}

// eq translates an equality (of a field known to hold no array).
func (t *translator) eq(field string, value any) condition {
	if field == "_id" {
		switch value.(type) {
		case string, types.ObjectID:
			return condition{
				sql:   metadata.IDColumn + " = ?",
				args:  []any{string(must.NotFail(sjson.MarshalSingleValue(value)))},
				exact: true,
			}
		}
	}

	rank, v, ok := scalarValue(value)
	if !ok {
		return unknown
	}

	if rank == metadata.RankNull {
		return condition{sql: fmt.Sprintf("%s = %d", metadata.RankExpr(field), rank), exact: true}
	}

	return condition{
		sql:   fmt.Sprintf("%s = %d AND %s = ?", metadata.RankExpr(field), rank, metadata.ValueExpr(field)),
		args:  []any{v},
		exact: true,
	}
}

// in translates $in: one SQL IN for values of one type (which the index seeks), else equalities.
func (t *translator) in(field string, arr *types.Array) condition {
	values := must.NotFail(iterator.ConsumeValues(arr.Iterator()))
	alternatives := make([]condition, len(values))
	ranks := map[int]bool{}
	var args []any

	for i, value := range values {
		alternatives[i] = t.eq(field, value)
		rank, v, ok := scalarValue(value)

		if field == "_id" {
			switch value.(type) {
			case string, types.ObjectID:
				rank, v = -1, string(must.NotFail(sjson.MarshalSingleValue(value)))
			}
		}

		ranks[rank] = ok
		args = append(args, v)
	}

	if len(ranks) != 1 || len(values) < 2 {
		return or(alternatives...)
	}

	var rank int
	for rank = range ranks {
	}

	places := strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")

	switch {
	case !ranks[rank] || rank == metadata.RankNull:
		return or(alternatives...)
	case rank == -1:
		return condition{sql: fmt.Sprintf("%s IN (%s)", metadata.IDColumn, places), args: args, exact: true}
	default:
		return condition{
			sql:   fmt.Sprintf("%s = %d AND %s IN (%s)", metadata.RankExpr(field), rank, metadata.ValueExpr(field), places),
			args:  args,
			exact: true,
		}
	}
}

// pinnedEq translates an equality that every matching document meets.
func (t *translator) pinnedEq(field string, value any) condition {
	c := t.eq(field, value)
	if c.exact {
		t.pin(field)
	}

	return c
}

// pin notes that a condition at the top level fixes the field's type.
func (t *translator) pin(field string) {
	if !t.nested {
		t.pinned[field] = true
	}
}

// scalarValue returns a value's type rank and its SQL value, as ValueExpr reads stored ones.
func scalarValue(value any) (int, any, bool) {
	switch v := value.(type) {
	case types.NullType:
		return metadata.RankNull, nil, true
	case string:
		return metadata.RankString, v, true
	case int32:
		return metadata.RankNumber, int64(v), true
	case int64:
		return metadata.RankNumber, v, true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, nil, false
		}

		return metadata.RankNumber, v, true
	case bool:
		if v {
			return metadata.RankBool, int64(1), true
		}

		return metadata.RankBool, int64(0), true
	case time.Time:
		return metadata.RankDate, v.UnixMilli(), true
	case types.ObjectID:
		return metadata.RankObjectID, hex.EncodeToString(v[:]), true
	default:
		return 0, nil, false
	}
}

// orderBy translates a sort document; ok is false if some key cannot be sorted in SQL.
func (t *translator) orderBy(sort *types.Document) (string, bool) {
	if sort.Len() == 0 {
		return "", true
	}

	columns := make([]string, 0, sort.Len())

	for _, key := range sort.Keys() {
		if !t.scalar[key] || !metadata.ScalarFieldName(key) {
			return "", false
		}

		order := ""

		switch must.NotFail(sort.Get(key)) {
		case int64(1):
		case int64(-1):
			order = " DESC"
		default:
			return "", false
		}

		if !t.pinned[key] {
			columns = append(columns, metadata.RankExpr(key)+order)
		}

		columns = append(columns, metadata.ValueExpr(key)+order)
	}

	return " ORDER BY " + strings.Join(columns, ", "), true
}

// exactQuery is a query answered entirely in SQL, or the superset the handler finishes.
type exactQuery struct {
	where    condition
	orderBy  string
	sortable bool
}

// exact returns whether filter, sort, skip and limit are all applied in SQL.
func (q *exactQuery) exact() bool {
	return q.where.exact && q.sortable
}

// translate prepares the SQL of a query the handler asked to be answered exactly.
func translate(meta *metadata.Collection, params *backends.QueryParams) *exactQuery {
	t := &translator{scalar: meta.ScalarFields(), pinned: map[string]bool{}}
	q := &exactQuery{where: t.filter(params.ExactFilter)}
	q.orderBy, q.sortable = t.orderBy(params.FieldSort)

	return q
}

// whereClause returns the query's WHERE clause (or nothing) and its arguments.
func (q *exactQuery) whereClause() (string, []any) {
	if q.where.sql == "" {
		return "", nil
	}

	return " WHERE " + q.where.sql, append([]any(nil), q.where.args...)
}

// limitClause returns the LIMIT and OFFSET of skip and limit (or nothing) and their arguments.
func limitClause(params *backends.QueryParams) (string, []any) {
	if params.ExactLimit <= 0 && params.Skip <= 0 {
		return "", nil
	}

	limit := params.ExactLimit
	if limit <= 0 {
		limit = -1 // SQLite's "no limit"
	}

	return " LIMIT ? OFFSET ?", []any{limit, params.Skip}
}

// sql returns the query's statement after SELECT and its arguments.
func (q *exactQuery) sql(params *backends.QueryParams) (string, []any) {
	s, args := q.whereClause()

	if !q.exact() {
		return s, args
	}

	limit, limitArgs := limitClause(params)

	return s + q.orderBy + limit, append(args, limitArgs...)
}

// countSQL returns the statement counting the query's documents, and its arguments.
func (q *exactQuery) countSQL(table string, params *backends.QueryParams) (string, []any) {
	where, args := q.whereClause()
	limit, limitArgs := limitClause(params)

	if limit == "" {
		return fmt.Sprintf("SELECT COUNT(*) FROM %q%s", table, where), args
	}

	return fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 FROM %q%s%s)", table, where, limit), append(args, limitArgs...)
}

// queryExact answers a query the handler asked to be answered exactly, or its superset.
func queryExact(ctx context.Context, db *fsql.DB, meta *metadata.Collection, params *backends.QueryParams) (*backends.QueryResult, error) { //nolint:lll // for readability
	q := translate(meta, params)

	if params.Count && q.exact() {
		stmt, args := q.countSQL(meta.TableName, params)

		var n int64
		if err := db.QueryRowContext(ctx, stmt, args...).Scan(&n); err != nil {
			return nil, lazyerrors.Error(err)
		}

		return &backends.QueryResult{
			Iter:  newQueryIterator(ctx, nil, params.OnlyRecordIDs),
			Exact: true,
			Count: n,
		}, nil
	}

	clause, args := q.sql(params)
	stmt := prepareSelectClause(meta.TableName, params.Comment, false, params.OnlyRecordIDs) + clause

	rows, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return &backends.QueryResult{
		Iter:  newQueryIterator(ctx, rows, params.OnlyRecordIDs),
		Exact: q.exact(),
	}, nil
}

// explainExact explains what queryExact does.
func explainExact(ctx context.Context, db *fsql.DB, meta *metadata.Collection, params *backends.ExplainParams) (*backends.ExplainResult, error) { //nolint:lll // for readability
	qp := &backends.QueryParams{
		ExactFilter: params.ExactFilter,
		FieldSort:   params.FieldSort,
		Skip:        params.Skip,
		ExactLimit:  params.ExactLimit,
	}
	q := translate(meta, qp)
	clause, args := q.sql(qp)
	limited, _ := limitClause(qp)

	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+prepareSelectClause(meta.TableName, "", false, false)+clause, args...)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	defer rows.Close()

	plan := types.MakeArray(0)

	for rows.Next() {
		var id, parent, notused int32
		var detail string

		if err = rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, lazyerrors.Error(err)
		}

		plan.Append(fmt.Sprintf("id=%d parent=%d notused=%d detail=%s", id, parent, notused, detail))
	}

	if err = rows.Err(); err != nil {
		return nil, lazyerrors.Error(err)
	}

	return &backends.ExplainResult{
		QueryPlanner:   must.NotFail(types.NewDocument("Plan", plan, "exact", q.exact())),
		FilterPushdown: q.where.sql != "",
		SortPushdown:   q.exact() && q.orderBy != "",
		LimitPushdown:  q.exact() && limited != "",
	}, nil
}

// notScalar returns the scalar fields that documents about to be written hold an array or an
// object in: they must be marked before the write (MarkNotScalar).
func notScalar(meta *metadata.Collection, docs []*types.Document) []string {
	var res []string

	for field := range meta.ScalarFields() {
		if slices.ContainsFunc(docs, func(doc *types.Document) bool {
			v, _ := doc.Get(field)
			switch v.(type) {
			case *types.Array, *types.Document:
				return true
			default:
				return false
			}
		}) {
			res = append(res, field)
		}
	}

	return res
}
