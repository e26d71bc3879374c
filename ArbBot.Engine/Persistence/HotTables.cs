using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace ArbBot.Engine.Persistence;

/// <summary>How a column's value is bound: decides the parameter's type for each provider.</summary>
internal enum HotColumnKind
{
    Text,
    Int64,
    Decimal,
    Time,
    Real,
}

internal readonly record struct HotColumn(string Name, HotColumnKind Kind);

/// <summary>
/// One of the tables the engine writes most (risk events, order transitions, orders, fills, opportunities, executions),
/// inserted with prepared ADO.NET commands instead of EF Core entities: EF's update pipeline allocated several objects per
/// row saved (column modifications, parameters, change-tracking snapshots), and the collections they caused paused the
/// engine's thread too. Columns are the ones <see cref="ArbBotDbContext"/> maps (snake_case), bound with the same CLR
/// types EF binds, so a row reads back the same whichever path wrote it.
/// </summary>
internal sealed class HotTable<TRow>
    where TRow : class
{
    /// <summary>Writes one row's values into the slots starting at <c>first</c> (columns in declaration order).</summary>
    public delegate void Binder(TRow row, HotSlots slots, int first);

    // Parameters per statement kept well under SQLite's and PostgreSQL's limits; a statement of many rows means one
    // execution (one reader, one round trip) per chunk instead of per row.
    private const int ParametersPerStatement = 480;

    public HotTable(string name, HotColumn[] columns, Binder bind, string? upsertKey = null)
    {
        Name = name;
        Columns = columns;
        Bind = bind;
        UpsertKey = upsertKey;
        RowsPerStatement = Math.Max(1, ParametersPerStatement / columns.Length);
        _sqliteSql = new string?[RowsPerStatement + 1];
        _postgresSql = new string?[RowsPerStatement + 1];
    }

    // The statement text per row count (1 to RowsPerStatement) and provider, made once: building it per batch (a few KB
    // of text and its builder, for the full chunk and for the remainder) was a good part of what the writer allocated.
    // Writers on different databases may share a table: a race only makes the same text twice.
    private readonly string?[] _sqliteSql;
    private readonly string?[] _postgresSql;

    public string Name { get; }

    public HotColumn[] Columns { get; }

    public Binder Bind { get; }

    /// <summary>When set, a row whose key is already stored replaces it (every column), as EF's upsert did.</summary>
    public string? UpsertKey { get; }

    public int RowsPerStatement { get; }

    /// <summary>Inserts the rows in their order, in the connection's current transaction.</summary>
    public async Task InsertAsync(IReadOnlyList<TRow> rows, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        var next = 0;
        if (rows.Count >= RowsPerStatement)
        {
            // Prepared once for this connection; its parameters are reused, only their values change per chunk.
            using var chunk = HotStatement.Create(this, RowsPerStatement, connection, transaction, prepare: true);
            for (; next + RowsPerStatement <= rows.Count; next += RowsPerStatement)
            {
                for (var r = 0; r < RowsPerStatement; r++) Bind(rows[next + r], chunk.Slots, r * Columns.Length);
                await chunk.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        var left = rows.Count - next;
        if (left > 0)
        {
            // The remainder in one statement, used once (not worth preparing).
            using var tail = HotStatement.Create(this, left, connection, transaction, prepare: false);
            for (var r = 0; r < left; r++) Bind(rows[next + r], tail.Slots, r * Columns.Length);
            await tail.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal string Sql(int rows, bool postgres)
    {
        var cache = postgres ? _postgresSql : _sqliteSql;
        if ((uint)rows >= (uint)cache.Length) return BuildSql(rows, postgres);
        var text = Volatile.Read(ref cache[rows]);
        if (text is null)
        {
            text = BuildSql(rows, postgres);
            Volatile.Write(ref cache[rows], text);
        }
        return text;
    }

    private string BuildSql(int rows, bool postgres)
    {
        var sql = new StringBuilder(64 + rows * Columns.Length * 6);
        sql.Append("INSERT INTO ").Append(Name).Append(" (");
        for (var c = 0; c < Columns.Length; c++) sql.Append(c == 0 ? "" : ", ").Append(Columns[c].Name);
        sql.Append(") VALUES ");
        var n = 0;
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < Columns.Length; c++)
            {
                if (c > 0) sql.Append(", ");
                // PostgreSQL: positional parameters, so Npgsql sends the statement as it is without parsing it for names.
                if (postgres) sql.Append('$').Append(n + 1);
                else sql.Append("@p").Append(n);
                n++;
            }
            sql.Append(')');
        }
        if (UpsertKey is not null)
        {
            sql.Append(" ON CONFLICT (").Append(UpsertKey).Append(") DO UPDATE SET ");
            var first = true;
            foreach (var column in Columns)
            {
                if (column.Name == UpsertKey) continue;
                sql.Append(first ? "" : ", ").Append(column.Name).Append(" = excluded.").Append(column.Name);
                first = false;
            }
        }
        return sql.ToString();
    }
}

/// <summary>A statement for a number of rows of one table, and the slots its values are written through.</summary>
internal abstract class HotStatement : IDisposable
{
    public abstract HotSlots Slots { get; }

    public static HotStatement Create<TRow>(HotTable<TRow> table, int rows, DbConnection connection, DbTransaction transaction, bool prepare)
        where TRow : class => connection switch
        {
            NpgsqlConnection postgres => PostgresStatement.Create(table, rows, postgres, transaction, prepare),
            SqliteConnection sqlite => new SqliteStatement(sqlite, table.Sql(rows, postgres: false)),
            _ => throw new NotSupportedException($"No prepared inserts for {connection.GetType().Name}."),
        };

    /// <summary>Runs the statement with the values in its slots (in the connection's transaction).</summary>
    public abstract ValueTask ExecuteAsync(CancellationToken cancellationToken);

    public abstract void Dispose();
}

/// <summary>Where a statement's values go: one slot per value, set by type so nothing needs boxing.</summary>
internal abstract class HotSlots
{
    public abstract void Text(int slot, string? value);

    public abstract void Int64(int slot, long? value);

    public abstract void Decimal(int slot, decimal value);

    public abstract void Time(int slot, DateTime value);

    public abstract void Real(int slot, double value);
}

/// <summary>
/// Npgsql: a command with typed parameters (<see cref="NpgsqlParameter{T}"/>) whose <c>TypedValue</c> is set, so no value
/// is boxed. The database types are the ones the schema and EF use (text, bigint, numeric, timestamptz, double precision).
/// </summary>
internal sealed class PostgresStatement : HotStatement
{
    private readonly NpgsqlCommand _command;

    private PostgresStatement(NpgsqlCommand command) => _command = command;

    public override HotSlots Slots => field ??= new PostgresSlots(_command.Parameters);

    public static PostgresStatement Create<TRow>(HotTable<TRow> table, int rows, NpgsqlConnection connection, DbTransaction transaction, bool prepare)
        where TRow : class
    {
        var command = new NpgsqlCommand(table.Sql(rows, postgres: true), connection, (NpgsqlTransaction)transaction);
        for (var i = 0; i < rows * table.Columns.Length; i++)
        {
            command.Parameters.Add(table.Columns[i % table.Columns.Length].Kind switch
            {
                HotColumnKind.Text => new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text },
                HotColumnKind.Int64 => new NpgsqlParameter<long?> { NpgsqlDbType = NpgsqlDbType.Bigint },
                HotColumnKind.Decimal => new NpgsqlParameter<decimal> { NpgsqlDbType = NpgsqlDbType.Numeric },
                HotColumnKind.Time => new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz },
                HotColumnKind.Real => new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlDbType.Double },
                _ => throw new ArgumentOutOfRangeException(nameof(table)),
            });
        }
        // Prepared once for this connection: later executions send only the values.
        if (prepare) command.Prepare();
        return new PostgresStatement(command);
    }

    public override async ValueTask ExecuteAsync(CancellationToken cancellationToken) =>
        await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

    public override void Dispose() => _command.Dispose();

    private sealed class PostgresSlots(NpgsqlParameterCollection parameters) : HotSlots
    {
        // A null TypedValue is sent as NULL.
        public override void Text(int slot, string? value) => ((NpgsqlParameter<string>)parameters[slot]).TypedValue = value;

        public override void Int64(int slot, long? value) => ((NpgsqlParameter<long?>)parameters[slot]).TypedValue = value;

        public override void Decimal(int slot, decimal value) => ((NpgsqlParameter<decimal>)parameters[slot]).TypedValue = value;

        public override void Time(int slot, DateTime value) => ((NpgsqlParameter<DateTime>)parameters[slot]).TypedValue = value;

        public override void Real(int slot, double value) => ((NpgsqlParameter<double>)parameters[slot]).TypedValue = value;
    }
}

/// <summary>
/// SQLite: the statement is prepared and bound through SQLitePCL directly on the connection's handle (inside the
/// transaction the connection has open). Measured: through <see cref="SqliteCommand"/> every value bound allocated a binder
/// object, a boxed value and, for text, a UTF-8 copy — most of what the writer still allocated per row. Here integers and
/// reals bind as they are, text binds from the string's characters, and decimals and times are formatted into a stack
/// buffer in exactly the text forms Microsoft.Data.Sqlite (and so EF) stores. Busy and locked answers are retried for the
/// connection's default timeout, as <see cref="SqliteCommand"/> does.
/// </summary>
internal sealed class SqliteStatement : HotStatement
{
    // Microsoft.Data.Sqlite's formats for the values it stores as text (SqliteValueBinder).
    private const string DecimalFormat = "0.0###########################";
    private const string TimeFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF";
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _timeoutMs;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
        _timeoutMs = connection.DefaultTimeout * 1_000;
        Slots = new SqliteSlots(this);
    }

    public override HotSlots Slots { get; }

    public override ValueTask ExecuteAsync(CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        int rc;
        while ((rc = raw.sqlite3_step(_statement)) is raw.SQLITE_BUSY or raw.SQLITE_LOCKED && Environment.TickCount64 - started < _timeoutMs)
        {
            raw.sqlite3_reset(_statement);
            Thread.Sleep(150);
        }
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
        raw.sqlite3_reset(_statement);
        return ValueTask.CompletedTask;
    }

    public override void Dispose() => _statement.Dispose();

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
    }

    private sealed class SqliteSlots(SqliteStatement owner) : HotSlots
    {
        // Parameters are numbered from 1 in the order they appear, one per slot.
        public override void Text(int slot, string? value)
        {
            if (value is null) Check(raw.sqlite3_bind_null(owner._statement, slot + 1), owner._db);
            // An empty span would bind a null pointer, which SQLite stores as NULL: bind the empty string as a string.
            else if (value.Length == 0) Check(raw.sqlite3_bind_text(owner._statement, slot + 1, value), owner._db);
            else Check(raw.sqlite3_bind_text16(owner._statement, slot + 1, value.AsSpan()), owner._db);
        }

        public override void Int64(int slot, long? value) =>
            Check(value is { } v ? raw.sqlite3_bind_int64(owner._statement, slot + 1, v) : raw.sqlite3_bind_null(owner._statement, slot + 1), owner._db);

        public override void Decimal(int slot, decimal value)
        {
            Span<char> text = stackalloc char[64];
            if (!value.TryFormat(text, out var length, DecimalFormat, CultureInfo.InvariantCulture)) throw new FormatException($"Cannot format {value}.");
            Check(raw.sqlite3_bind_text16(owner._statement, slot + 1, text[..length]), owner._db);
        }

        public override void Time(int slot, DateTime value)
        {
            Span<char> text = stackalloc char[32];
            if (!value.TryFormat(text, out var length, TimeFormat, CultureInfo.InvariantCulture)) throw new FormatException($"Cannot format {value}.");
            Check(raw.sqlite3_bind_text16(owner._statement, slot + 1, text[..length]), owner._db);
        }

        public override void Real(int slot, double value) => Check(raw.sqlite3_bind_double(owner._statement, slot + 1, value), owner._db);
    }
}

/// <summary>The tables written with prepared commands, their columns (as <see cref="SchemaMigrator"/> creates them) and how a row binds.</summary>
internal static class HotTables
{
    private const HotColumnKind Text = HotColumnKind.Text;
    private const HotColumnKind Int64 = HotColumnKind.Int64;
    private const HotColumnKind Decimal = HotColumnKind.Decimal;
    private const HotColumnKind Time = HotColumnKind.Time;
    private const HotColumnKind Real = HotColumnKind.Real;

    /// <summary>Every rejection and resize: the most frequent record. The id is the table's own (autoincrement/identity).</summary>
    public static HotTable<RiskEventRow> RiskEvents { get; } = new("risk_events",
        [new("at_utc", Time), new("rule", Text), new("verdict", Text), new("opportunity_id", Int64), new("pair_id", Int64), new("detail", Text)],
        static (row, slots, at) =>
        {
            slots.Time(at, row.AtUtc);
            slots.Text(at + 1, row.Rule);
            slots.Text(at + 2, row.Verdict);
            slots.Int64(at + 3, row.OpportunityId);
            slots.Int64(at + 4, row.PairId);
            slots.Text(at + 5, row.Detail);
        });

    public static HotTable<OrderTransitionRow> OrderTransitions { get; } = new("order_transitions",
        [new("client_order_id", Text), new("from_status", Text), new("to_status", Text), new("filled_quantity", Decimal), new("reason", Text), new("at_utc", Time)],
        static (row, slots, at) =>
        {
            slots.Text(at, row.ClientOrderId);
            slots.Text(at + 1, row.FromStatus);
            slots.Text(at + 2, row.ToStatus);
            slots.Decimal(at + 3, row.FilledQuantity);
            slots.Text(at + 4, row.Reason);
            slots.Time(at + 5, row.AtUtc);
        });

    /// <summary>An order's latest state: inserted, or every column replaced when the order is already stored.</summary>
    public static HotTable<OrderRow> Orders { get; } = new("orders",
        [
            new("client_order_id", Text), new("opportunity_id", Int64), new("pair_id", Int64), new("role", Text), new("venue", Text),
            new("symbol", Text), new("side", Text), new("limit_price", Decimal), new("quantity", Decimal), new("time_in_force", Text),
            new("status", Text), new("filled_quantity", Decimal), new("reason", Text), new("created_utc", Time), new("updated_utc", Time),
        ],
        static (row, slots, at) =>
        {
            slots.Text(at, row.ClientOrderId);
            slots.Int64(at + 1, row.OpportunityId);
            slots.Int64(at + 2, row.PairId);
            slots.Text(at + 3, row.Role);
            slots.Text(at + 4, row.Venue);
            slots.Text(at + 5, row.Symbol);
            slots.Text(at + 6, row.Side);
            slots.Decimal(at + 7, row.LimitPrice);
            slots.Decimal(at + 8, row.Quantity);
            slots.Text(at + 9, row.TimeInForce);
            slots.Text(at + 10, row.Status);
            slots.Decimal(at + 11, row.FilledQuantity);
            slots.Text(at + 12, row.Reason);
            slots.Time(at + 13, row.CreatedUtc);
            slots.Time(at + 14, row.UpdatedUtc);
        },
        upsertKey: "client_order_id");

    public static HotTable<FillRow> Fills { get; } = new("fills",
        [
            new("fill_id", Text), new("client_order_id", Text), new("opportunity_id", Int64), new("pair_id", Int64), new("venue", Text),
            new("symbol", Text), new("side", Text), new("price", Decimal), new("quantity", Decimal), new("fee", Decimal),
            new("liquidity", Text), new("at_utc", Time),
        ],
        static (row, slots, at) =>
        {
            slots.Text(at, row.FillId);
            slots.Text(at + 1, row.ClientOrderId);
            slots.Int64(at + 2, row.OpportunityId);
            slots.Int64(at + 3, row.PairId);
            slots.Text(at + 4, row.Venue);
            slots.Text(at + 5, row.Symbol);
            slots.Text(at + 6, row.Side);
            slots.Decimal(at + 7, row.Price);
            slots.Decimal(at + 8, row.Quantity);
            slots.Decimal(at + 9, row.Fee);
            slots.Text(at + 10, row.Liquidity);
            slots.Time(at + 11, row.AtUtc);
        });

    public static HotTable<OpportunityRow> Opportunities { get; } = new("opportunities",
        [
            new("id", Int64), new("strategy", Text), new("pair_id", Int64), new("detected_utc", Time), new("quantity", Decimal),
            new("gross_edge_per_set", Decimal), new("total_costs", Decimal), new("net_edge_per_set", Decimal), new("expected_profit", Decimal),
            new("decision", Text), new("reason", Text), new("legs_json", Text),
        ],
        static (row, slots, at) =>
        {
            slots.Int64(at, row.Id);
            slots.Text(at + 1, row.Strategy);
            slots.Int64(at + 2, row.PairId);
            slots.Time(at + 3, row.DetectedUtc);
            slots.Decimal(at + 4, row.Quantity);
            slots.Decimal(at + 5, row.GrossEdgePerSet);
            slots.Decimal(at + 6, row.TotalCosts);
            slots.Decimal(at + 7, row.NetEdgePerSet);
            slots.Decimal(at + 8, row.ExpectedProfit);
            slots.Text(at + 9, row.Decision);
            slots.Text(at + 10, row.Reason);
            slots.Text(at + 11, row.LegsJson);
        });

    public static HotTable<ExecutionRow> Executions { get; } = new("executions",
        [
            new("opportunity_id", Int64), new("pair_id", Int64), new("strategy", Text), new("kind", Text), new("planned_quantity", Decimal),
            new("hedged_quantity", Decimal), new("residual_quantity", Decimal), new("net_cash_out", Decimal), new("fees", Decimal),
            new("expected_profit", Decimal), new("locked_profit", Decimal), new("detected_utc", Time), new("completed_utc", Time),
            new("detection_to_last_fill_ms", Real), new("summary", Text),
        ],
        static (row, slots, at) =>
        {
            slots.Int64(at, row.OpportunityId);
            slots.Int64(at + 1, row.PairId);
            slots.Text(at + 2, row.Strategy);
            slots.Text(at + 3, row.Kind);
            slots.Decimal(at + 4, row.PlannedQuantity);
            slots.Decimal(at + 5, row.HedgedQuantity);
            slots.Decimal(at + 6, row.ResidualQuantity);
            slots.Decimal(at + 7, row.NetCashOut);
            slots.Decimal(at + 8, row.Fees);
            slots.Decimal(at + 9, row.ExpectedProfit);
            slots.Decimal(at + 10, row.LockedProfit);
            slots.Time(at + 11, row.DetectedUtc);
            slots.Time(at + 12, row.CompletedUtc);
            slots.Real(at + 13, row.DetectionToLastFillMs);
            slots.Text(at + 14, row.Summary);
        });
}
