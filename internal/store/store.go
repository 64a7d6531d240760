// Package store opens the per-area DuckDB database and gives every stage one connection to it.
//
// DuckDB transactions and appenders belong to a connection, so the store holds exactly one
// (*sql.Conn) and runs every statement on it: a stage can BEGIN, append a million rows, run SQL
// and COMMIT as one unit. Read a result set to the end (or close it) before the next statement.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Schemas every database has: raw (inputs as read, plus rejects), core (typed, validated, BNG),
// analysis (what the analysis builds).
var Schemas = []string{"raw", "core", "analysis"}

// DB is an open hubreach database.
type DB struct {
	Path string // "" for an in-memory database
	sql  *sql.DB
	conn *sql.Conn
	inTx bool
}

// Open opens (creating if needed) the DuckDB file at path, or an in-memory database when path
// is "", and makes sure the raw, core and analysis schemas exist.
func Open(ctx context.Context, path string) (*DB, error) {
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, fmt.Errorf("open database %q: %w", path, err)
	}
	sdb := sql.OpenDB(connector)
	conn, err := sdb.Conn(ctx)
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open database %q: %w", path, err)
	}
	db := &DB{Path: path, sql: sdb, conn: conn}
	for _, s := range Schemas {
		if _, err := db.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+s); err != nil {
			db.Close()
			return nil, fmt.Errorf("open database %q: create schema %s: %w", path, s, err)
		}
	}
	return db, nil
}

// Close closes the connection and the database.
func (db *DB) Close() error {
	return errors.Join(db.conn.Close(), db.sql.Close())
}

// Exec runs a statement.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.conn.ExecContext(ctx, query, args...)
}

// Query runs a query. Read the rows to the end or close them before the next statement.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.conn.QueryContext(ctx, query, args...)
}

// QueryRow runs a query expected to return at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.conn.QueryRowContext(ctx, query, args...)
}

// InTx runs fn inside one transaction: everything fn does (statements and appenders) is committed
// together, or rolled back when fn returns an error or panics. Nested calls join the outer one.
func (db *DB) InTx(ctx context.Context, fn func() error) (err error) {
	if db.inTx {
		return fn()
	}
	if _, err := db.Exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	db.inTx = true
	defer func() {
		db.inTx = false
		if p := recover(); p != nil {
			db.Exec(context.WithoutCancel(ctx), "ROLLBACK")
			panic(p)
		}
		if err != nil {
			if _, rbErr := db.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
			}
			return
		}
		if _, cErr := db.Exec(ctx, "COMMIT"); cErr != nil {
			err = fmt.Errorf("commit: %w", cErr)
		}
	}()
	return fn()
}

// Append bulk-loads rows into schema.table with DuckDB's appender (about a million rows in a
// fraction of a second; never use row-by-row INSERTs for bulk data). fn calls a.AppendRow once
// per row, with Go values matching the table's column types in order.
func (db *DB) Append(ctx context.Context, schema, table string, fn func(a *duckdb.Appender) error) error {
	return db.conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), schema, table)
		if err != nil {
			return fmt.Errorf("appender for %s.%s: %w", schema, table, err)
		}
		if err := fn(a); err != nil {
			a.Close()
			return err
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("append to %s.%s: %w", schema, table, err)
		}
		return nil
	})
}

// TableExists reports whether schema.table exists.
func (db *DB) TableExists(ctx context.Context, schema, table string) (bool, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, table).Scan(&n)
	return n > 0, err
}

// Count returns the number of rows in a table (schema-qualified name).
func (db *DB) Count(ctx context.Context, table string) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}
