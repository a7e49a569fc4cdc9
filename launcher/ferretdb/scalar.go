// Added to FerretDB's SQLite backend by the platform's build (launcher/infra.py).

package metadata

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// Ranks of BSON types in MongoDB's comparison order (null and missing compare equal).
const (
	RankNull     = 1
	RankNumber   = 2
	RankString   = 3
	RankObject   = 4
	RankArray    = 5
	RankObjectID = 7
	RankBool     = 8
	RankDate     = 9
)

var scalarFieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ScalarFieldName returns whether a field can be indexed and queried by rank and value.
//
// Top-level fields with plain names only: dotted paths keep FerretDB's own handling.
func ScalarFieldName(field string) bool {
	return scalarFieldName.MatchString(field)
}

// RankExpr returns the SQL expression of the MongoDB type rank of a top-level field, read from
// the document's sjson schema.
func RankExpr(field string) string {
	return fmt.Sprintf(
		`CASE %s->>'$."$s".p.%s.t' WHEN 'double' THEN 2 WHEN 'int' THEN 2 WHEN 'long' THEN 2 `+
			`WHEN 'string' THEN 3 WHEN 'object' THEN 4 WHEN 'array' THEN 5 WHEN 'binData' THEN 6 `+
			`WHEN 'objectId' THEN 7 WHEN 'bool' THEN 8 WHEN 'date' THEN 9 WHEN 'timestamp' THEN 10 `+
			`WHEN 'regex' THEN 11 ELSE 1 END`,
		DefaultColumn, field,
	)
}

// ValueExpr returns the SQL expression of a top-level field's value: strings and ObjectIDs as
// TEXT, numbers, dates (milliseconds) and booleans (0, 1) as numbers, null or missing as NULL.
func ValueExpr(field string) string {
	return fmt.Sprintf(`%s->>'$.%s'`, DefaultColumn, field)
}

// scalarColumns returns the index columns of one key: its rank, then its value.
func scalarColumns(field string, descending bool) string {
	order := ""
	if descending {
		order = " DESC"
	}

	return RankExpr(field) + order + ", " + ValueExpr(field) + order
}

// scalarIndex returns whether an index is built of ranks and values (every key a plain field).
func scalarIndex(index IndexInfo) bool {
	if index.Name == "_id_" {
		return false
	}

	for _, key := range index.Key {
		if !ScalarFieldName(key.Field) {
			return false
		}
	}

	return true
}

// ScalarFields returns the fields whose conditions and order can be answered in SQL exactly:
// `_id` and the fields of rank-and-value indexes, unless a document has held an array or an
// object in them (MongoDB's multikey indexes, where a condition means "any element").
func (c *Collection) ScalarFields() map[string]bool {
	res := map[string]bool{"_id": true}

	for _, index := range c.Settings.Indexes {
		if !index.Scalar {
			continue
		}

		for _, key := range index.Key {
			res[key.Field] = true
		}
	}

	for _, field := range c.Settings.NotScalar {
		delete(res, field)
	}

	return res
}

// MarkNotScalar records that documents hold arrays or objects in these fields, before they are
// written: queries stop answering conditions on them in SQL.
func (r *Registry) MarkNotScalar(ctx context.Context, dbName, collectionName string, fields []string) error {
	r.rw.Lock()
	defer r.rw.Unlock()

	return r.markNotScalar(ctx, dbName, collectionName, fields)
}

// markNotScalar does MarkNotScalar's work; it does not hold the lock.
func (r *Registry) markNotScalar(ctx context.Context, dbName, collectionName string, fields []string) error {
	db := r.DatabaseGetExisting(ctx, dbName)
	c := r.collectionGet(dbName, collectionName)

	if db == nil || c == nil {
		return nil
	}

	changed := false

	for _, field := range fields {
		if !slices.Contains(c.Settings.NotScalar, field) {
			c.Settings.NotScalar = append(c.Settings.NotScalar, field)
			changed = true
		}
	}

	if !changed {
		return nil
	}

	q := fmt.Sprintf("UPDATE %q SET settings = ? WHERE table_name = ?", metadataTableName)
	if _, err := db.ExecContext(ctx, q, c.Settings, c.TableName); err != nil {
		return lazyerrors.Error(err)
	}

	r.colls[dbName][collectionName] = c

	return nil
}

// notScalarInTable returns the fields of a new index that some stored document holds an array or
// an object in.
func (r *Registry) notScalarInTable(ctx context.Context, dbName string, c *Collection, index IndexInfo) ([]string, error) {
	db := r.DatabaseGetExisting(ctx, dbName)
	var res []string

	for _, key := range index.Key {
		q := fmt.Sprintf(
			`SELECT EXISTS (SELECT 1 FROM %q WHERE %s IN (%d, %d))`,
			c.TableName, RankExpr(key.Field), RankObject, RankArray,
		)

		var found bool
		if err := db.QueryRowContext(ctx, q).Scan(&found); err != nil {
			return nil, lazyerrors.Error(err)
		}

		if found {
			res = append(res, key.Field)
		}
	}

	return res, nil
}

// upgradeIndexes makes again, of ranks and values, the indexes an earlier build made of JSON
// text (which no query used), at start.
func (r *Registry) upgradeIndexes(ctx context.Context) error {
	for dbName, colls := range r.colls {
		db := r.DatabaseGetExisting(ctx, dbName)

		for name, c := range colls {
			for _, index := range slices.Clone(c.Settings.Indexes) {
				if index.Scalar || !scalarIndex(index) {
					continue
				}

				r.l.InfoContext(ctx, "Making an index again of ranks and values", "collection", name, "index", index.Name)

				if _, err := db.ExecContext(ctx, fmt.Sprintf("DROP INDEX %q", c.TableName+"_"+index.Name)); err != nil {
					return lazyerrors.Error(err)
				}

				c.Settings.Indexes = slices.DeleteFunc(c.Settings.Indexes, func(i IndexInfo) bool { return i.Name == index.Name })

				if err := r.indexesCreate(ctx, dbName, name, []IndexInfo{index}); err != nil {
					return lazyerrors.Error(err)
				}

				c = r.colls[dbName][name]
			}
		}
	}

	return nil
}
