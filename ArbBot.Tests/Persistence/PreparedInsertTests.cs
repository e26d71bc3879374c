using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ArbBot.Tests.Persistence;

/// <summary>
/// The record writer inserts the most frequent rows (risk events, order transitions, orders, fills, opportunities,
/// executions) with prepared ADO.NET commands rather than EF Core entities. What it stores must be exactly what EF stores
/// for the same rows: the same raw column values, and the same values when read back through EF — nulls, decimals at
/// full precision, timestamps, text with quotes and unicode. Run on SQLite and on a real PostgreSQL server.
/// </summary>
public abstract class PreparedInsertContract
{
    // More rows than one prepared statement takes, so both the prepared chunks and the remainder statement are used.
    private const int Rows = 150;
    private static readonly DateTime Start = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
    private static readonly JsonSerializerOptions Json = new() { Converters = { new TicksConverter(), new DecimalConverter() } };

    /// <summary>A fresh, migrated database.</summary>
    protected abstract Task<IDbContextFactory<ArbBotDbContext>> MigratedAsync();

    /// <summary>Every row of the table as the database holds it, in the given order, one string per row.</summary>
    protected abstract Task<List<string>> RawRowsAsync(IDbContextFactory<ArbBotDbContext> database, string table, string orderBy);

    /// <summary>The smallest time step the database stores (PostgreSQL: microseconds; SQLite text: ticks).</summary>
    protected abstract long TimeStepTicks { get; }

    [Fact]
    public async Task Rows_the_writer_inserts_with_prepared_commands_are_stored_exactly_as_entity_framework_stores_them()
    {
        var byEntities = await MigratedAsync();
        var byWriter = await MigratedAsync();

        // What EF stores: the rows added as entities and saved (orders: their final state).
        var saved = Records(version: 2);
        await using (var db = byEntities.CreateDbContext())
        {
            db.AddRange(saved.RiskEvents);
            db.AddRange(saved.Transitions);
            db.AddRange(saved.Fills);
            db.AddRange(saved.Opportunities);
            db.AddRange(saved.Executions);
            db.AddRange(saved.Orders);
            await db.SaveChangesAsync();
        }

        // The writer: every order first in an older state, then (next batch) an intermediate state and its final one;
        // each fill, opportunity and execution also reported a second time with other values, in the same batch and in a
        // later one, which must be ignored.
        var writer = new RecordWriter(byWriter, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        foreach (var order in Records(version: 0).Orders) writer.Enqueue(order);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await writer.FlushAsync(timeout.Token);
        var queued = Records(version: 2);
        var echoes = Records(version: 1);
        for (var i = 0; i < Rows; i++)
        {
            writer.Enqueue(queued.RiskEvents[i]);
            writer.Enqueue(queued.Transitions[i]);
            writer.Enqueue(queued.Fills[i]);
            writer.Enqueue(echoes.Fills[i]);
            writer.Enqueue(queued.Opportunities[i]);
            writer.Enqueue(echoes.Opportunities[i]);
            writer.Enqueue(queued.Executions[i]);
            writer.Enqueue(echoes.Executions[i]);
            writer.Enqueue(echoes.Orders[i]);
            writer.Enqueue(queued.Orders[i]);
        }
        await writer.FlushAsync(timeout.Token);
        // Reported again in a later batch: already stored, so skipped (not a failure, not a second row).
        foreach (var echo in echoes.Fills) writer.Enqueue(echo);
        foreach (var echo in echoes.Opportunities) writer.Enqueue(echo);
        foreach (var echo in echoes.Executions) writer.Enqueue(echo);
        await writer.FlushAsync(timeout.Token);
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(0, writer.Failures);

        foreach (var (table, orderBy) in new[]
        {
            ("risk_events", "id"), ("order_transitions", "id"), ("fills", "fill_id"), ("opportunities", "id"),
            ("executions", "opportunity_id"), ("orders", "client_order_id"),
        })
        {
            var expected = await RawRowsAsync(byEntities, table, orderBy);
            Assert.Equal(Rows, expected.Count);
            Assert.Equal(expected, await RawRowsAsync(byWriter, table, orderBy));
        }

        // Read back through EF (what the Trades and Orders pages, restart recovery and retention read): equal field for
        // field to what EF read back of its own rows, and to the rows as they were saved.
        await using var entities = byEntities.CreateDbContext();
        await using var written = byWriter.CreateDbContext();
        AssertSameRows(saved.RiskEvents, await entities.RiskEvents.AsNoTracking().OrderBy(r => r.Id).ToListAsync(), await written.RiskEvents.AsNoTracking().OrderBy(r => r.Id).ToListAsync());
        AssertSameRows(saved.Transitions, await entities.OrderTransitions.AsNoTracking().OrderBy(r => r.Id).ToListAsync(), await written.OrderTransitions.AsNoTracking().OrderBy(r => r.Id).ToListAsync());
        AssertSameRows(saved.Fills.OrderBy(r => r.FillId, StringComparer.Ordinal).ToList(), await entities.Fills.AsNoTracking().ToListAsync(), await written.Fills.AsNoTracking().ToListAsync(), r => r.FillId);
        AssertSameRows(saved.Opportunities, await entities.Opportunities.AsNoTracking().OrderBy(r => r.Id).ToListAsync(), await written.Opportunities.AsNoTracking().OrderBy(r => r.Id).ToListAsync());
        AssertSameRows(saved.Executions, await entities.Executions.AsNoTracking().OrderBy(r => r.OpportunityId).ToListAsync(), await written.Executions.AsNoTracking().OrderBy(r => r.OpportunityId).ToListAsync());
        AssertSameRows(saved.Orders.OrderBy(r => r.ClientOrderId, StringComparer.Ordinal).ToList(), await entities.Orders.AsNoTracking().ToListAsync(), await written.Orders.AsNoTracking().ToListAsync(), r => r.ClientOrderId);

        // The values that are easy to get wrong, spelled out.
        var fill = await written.Fills.AsNoTracking().SingleAsync(f => f.FillId == "f-000002");
        Assert.Equal((123456789.000000001m, -0.0017m, 0.1234567890123456789012345678m), (fill.Price, fill.Quantity, fill.Fee));
        Assert.Equal(("O'Brien said \"hi\"; -- DROP TABLE fills; \\ #16", (long?)4_000_000_028, (long?)2_000_000_014), (fill.Symbol, fill.OpportunityId, fill.PairId));
        var risk = await written.RiskEvents.AsNoTracking().SingleAsync(r => r.Detail == "é ü ñ 中文 😀 ∑ ‐ #2");
        Assert.Equal((Time(2), (long?)2_000_000_014, (long?)null), (risk.AtUtc, risk.OpportunityId, risk.PairId));
    }

    private static void AssertSameRows<T>(List<T> saved, List<T> readByEntities, List<T> readFromWriter, Func<T, string>? sortKey = null)
    {
        if (sortKey is not null)
        {
            readByEntities = [.. readByEntities.OrderBy(sortKey, StringComparer.Ordinal)];
            readFromWriter = [.. readFromWriter.OrderBy(sortKey, StringComparer.Ordinal)];
        }
        Assert.Equal(Rows, readFromWriter.Count);
        for (var i = 0; i < Rows; i++)
        {
            var expected = JsonSerializer.Serialize(readByEntities[i], Json);
            Assert.Equal(expected, JsonSerializer.Serialize(readFromWriter[i], Json));
            Assert.Equal(JsonSerializer.Serialize(saved[i], Json), expected);
        }
    }

    private sealed record RecordSet(
        List<RiskEventRow> RiskEvents, List<OrderTransitionRow> Transitions, List<FillRow> Fills,
        List<OpportunityRow> Opportunities, List<ExecutionRow> Executions, List<OrderRow> Orders);

    /// <summary>The same rows each time for a version (2: what is finally stored; 0 and 1: earlier or repeated reports).</summary>
    private RecordSet Records(int version)
    {
        var set = new RecordSet([], [], [], [], [], []);
        for (var i = 0; i < Rows; i++)
        {
            var v = i + version * 7;
            set.RiskEvents.Add(new RiskEventRow { AtUtc = Time(i), Rule = "MaxTradeSize", Verdict = i % 2 == 0 ? "Reject" : "Resize", OpportunityId = Maybe(i), PairId = Maybe(i + 1), Detail = Text(i) });
            set.Transitions.Add(new OrderTransitionRow { ClientOrderId = $"o-{i:D6}", FromStatus = "Submitted", ToStatus = "PartiallyFilled", FilledQuantity = Decimal(i), Reason = i % 3 == 0 ? null : Text(i), AtUtc = Time(i) });
            set.Fills.Add(new FillRow
            {
                FillId = $"f-{i:D6}",
                ClientOrderId = $"o-{i:D6}",
                OpportunityId = Maybe(i + 2),
                PairId = Maybe(i),
                Venue = "Polymarket",
                Symbol = Text(v),
                Side = "Sell",
                Price = Decimal(v),
                Quantity = Decimal(v + 1),
                Fee = Decimal(v + 2),
                Liquidity = "Maker",
                AtUtc = Time(v),
            });
            set.Opportunities.Add(new OpportunityRow
            {
                Id = 1_000_000_000_000L + i,
                Strategy = "cross-venue",
                PairId = Maybe(i),
                DetectedUtc = Time(v),
                Quantity = Decimal(v),
                GrossEdgePerSet = Decimal(v + 1),
                TotalCosts = Decimal(v + 2),
                NetEdgePerSet = Decimal(v + 3),
                ExpectedProfit = Decimal(v + 4),
                Decision = "Taken",
                Reason = Text(v),
                LegsJson = $$"""[{"venue":"Kalshi","symbol":"{{Text(v).Replace("\"", "\\\"", StringComparison.Ordinal)}}","fee":0.0123}]""",
            });
            set.Executions.Add(new ExecutionRow
            {
                OpportunityId = 1_000_000_000_000L + i,
                PairId = Maybe(i + 1),
                Strategy = "multi-outcome",
                Kind = "Hedged",
                PlannedQuantity = Decimal(v),
                HedgedQuantity = Decimal(v + 1),
                ResidualQuantity = Decimal(v + 2),
                NetCashOut = Decimal(v + 3),
                Fees = Decimal(v + 4),
                ExpectedProfit = Decimal(v + 5),
                LockedProfit = Decimal(v + 6),
                DetectedUtc = Time(v),
                CompletedUtc = Time(v + 1),
                DetectionToLastFillMs = v * 1.000123456789 + 0.1,
                Summary = Text(v),
            });
            set.Orders.Add(new OrderRow
            {
                ClientOrderId = $"o-{i:D6}",
                OpportunityId = Maybe(i + version),
                PairId = Maybe(i),
                Role = "Hedge",
                Venue = "Kalshi",
                Symbol = Text(i),
                Side = "Buy",
                LimitPrice = Decimal(v),
                Quantity = Decimal(i),
                TimeInForce = "Ioc",
                Status = version == 2 ? "Filled" : "Submitted",
                FilledQuantity = Decimal(v + 1),
                Reason = (i + version) % 3 == 0 ? null : Text(v),
                CreatedUtc = Time(i + version),
                UpdatedUtc = Time(v + 3),
            });
        }
        return set;
    }

    private static string Text(int i) => (i % 5) switch
    {
        0 => $"plain #{i}",
        1 => $"O'Brien said \"hi\"; -- DROP TABLE fills; \\ #{i}",
        2 => $"é ü ñ 中文 😀 ∑ ‐ #{i}",
        3 => $"'' \"\" \t tab, new\nline #{i}",
        _ => "",
    };

    private static decimal Decimal(int i) => (i % 6) switch
    {
        0 => 0.1234567890123456789012345678m,
        1 => -79228162514264337593543950335m,
        2 => 1.50m,
        3 => 0m,
        4 => 123456789.000000001m,
        _ => -0.0001m * i,
    };

    private static long? Maybe(int i) => i % 3 == 0 ? null : i * 1_000_000_007L;

    private DateTime Time(int i) => Start.AddTicks((i * 1_234_567L + 1) / TimeStepTicks * TimeStepTicks);

    /// <summary>Times as ticks, so SQLite's unspecified kind and the rows' UTC kind compare equal (the instant is what counts).</summary>
    private sealed class TicksConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Ticks);
    }

    /// <summary>Decimals by value: 1.50 and 1.5 are the same amount (SQLite's text form drops trailing zeros, EF's too).</summary>
    private sealed class DecimalConverter : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString("0.############################", CultureInfo.InvariantCulture));
    }
}

public sealed class SqlitePreparedInsertTests : PreparedInsertContract, IDisposable
{
    private readonly List<SqliteDatabase> _databases = [];

    protected override long TimeStepTicks => 1;

    protected override async Task<IDbContextFactory<ArbBotDbContext>> MigratedAsync()
    {
        var database = await SqliteDatabase.MigratedAsync();
        _databases.Add(database);
        return database;
    }

    protected override async Task<List<string>> RawRowsAsync(IDbContextFactory<ArbBotDbContext> database, string table, string orderBy)
    {
        await using var db = database.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table} ORDER BY {orderBy}";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            // The storage class and the exact stored value of every column (text as stored, not as parsed).
            var values = new string[reader.FieldCount];
            for (var c = 0; c < reader.FieldCount; c++)
            {
                var value = reader.GetValue(c);
                values[c] = $"{reader.GetName(c)}={value.GetType().Name}:{Convert.ToString(value, CultureInfo.InvariantCulture)}";
            }
            rows.Add(string.Join(" | ", values));
        }
        return rows;
    }

    public void Dispose()
    {
        foreach (var database in _databases) database.Dispose();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPreparedInsertTests(PostgresServer server) : PreparedInsertContract
{
    protected override long TimeStepTicks => 10;

    protected override async Task<IDbContextFactory<ArbBotDbContext>> MigratedAsync()
    {
        var factory = new NpgsqlContexts(server.CreateDatabase());
        await using var db = factory.CreateDbContext();
        await new SchemaMigrator(TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(db, CancellationToken.None);
        return factory;
    }

    protected override async Task<List<string>> RawRowsAsync(IDbContextFactory<ArbBotDbContext> database, string table, string orderBy)
    {
        await using var connection = new NpgsqlConnection(((NpgsqlContexts)database).ConnectionString);
        await connection.OpenAsync();
        // The row's text form: every column as PostgreSQL holds it (numeric with its scale, timestamptz to the microsecond).
        await using var command = new NpgsqlCommand($"SELECT t::text FROM {table} t ORDER BY {orderBy}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    private sealed class NpgsqlContexts(string connectionString) : IDbContextFactory<ArbBotDbContext>
    {
        public string ConnectionString => connectionString;

        public ArbBotDbContext CreateDbContext() => new(new DbContextOptionsBuilder<ArbBotDbContext>().UseNpgsql(connectionString).Options);
    }
}
