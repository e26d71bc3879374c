using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Tests.Persistence;

public sealed class RecordWriterTests
{
    private static readonly DateTime Now = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Queued_rows_are_saved_in_batches_and_the_newest_order_state_wins()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        writer.Enqueue(Order("o1", "Submitted", 0));
        writer.Enqueue(Order("o1", "PartiallyFilled", 4));
        for (var i = 0; i < 2_500; i++)
        {
            writer.Enqueue(new RiskEventRow { AtUtc = Now, Rule = "PairCooldown", Verdict = "Reject", Detail = $"#{i}" });
        }
        await writer.FlushAsync(CancellationToken.None);
        writer.Enqueue(Order("o1", "Filled", 10));
        await writer.FlushAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        var order = await db.Orders.SingleAsync();
        Assert.Equal("Filled", order.Status);
        Assert.Equal(10, order.FilledQuantity);
        Assert.Equal(2_500, await db.RiskEvents.CountAsync());
        // The first two states of o1 may share a batch, where only the newest is written.
        Assert.InRange(writer.Written, 2_502, 2_503);
    }

    [Fact]
    public async Task Rows_survive_a_database_outage_and_are_written_when_it_returns()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var flaky = new FlakyFactory(database, failures: 3);
        var writer = new RecordWriter(flaky, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        writer.Enqueue(new FillRow { FillId = "f1", ClientOrderId = "o1", Venue = "Kalshi", Symbol = "K:yes", Side = "Buy", Price = 0.4m, Quantity = 5, Fee = 0.09m, Liquidity = "Taker", AtUtc = Now });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await writer.FlushAsync(timeout.Token);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(3, writer.Failures);
        await using var db = database.CreateDbContext();
        Assert.Equal("f1", (await db.Fills.SingleAsync()).FillId);
    }

    [Fact]
    public async Task A_full_queue_keeps_every_row_and_reports_the_backlog()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance, capacity: 10);
        var backlog = new List<bool>();
        writer.BacklogChanged += backlog.Add;

        // Not started: nothing drains, so the queue fills and the rest overflows.
        for (var i = 0; i < 25; i++) writer.Enqueue(new RiskEventRow { AtUtc = Now, Rule = "StaleData", Verdict = "Reject", Detail = $"#{i}" });
        Assert.True(writer.Backlogged);
        Assert.Equal(25, writer.Pending);

        await writer.StartAsync(CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.False(writer.Backlogged);
        Assert.Equal([true, false], backlog);
        await using var db = database.CreateDbContext();
        Assert.Equal(25, await db.RiskEvents.CountAsync());
    }

    [Fact]
    public async Task Stopping_saves_what_is_still_queued()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        for (var i = 0; i < 50; i++) writer.Enqueue(new AuditEntry { AtUtc = Now, Actor = "t", Action = "a", Target = $"#{i}" });

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        Assert.Equal(50, await db.Audit.CountAsync());
    }

    private static OrderRow Order(string id, string status, decimal filled) => new()
    {
        ClientOrderId = id,
        Role = "FirstLeg",
        Venue = "Kalshi",
        Symbol = "K:yes",
        Side = "Buy",
        LimitPrice = 0.5m,
        Quantity = 10,
        TimeInForce = "Ioc",
        Status = status,
        FilledQuantity = filled,
        CreatedUtc = Now,
        UpdatedUtc = Now,
    };

    /// <summary>A database that is away for its first few connections.</summary>
    private sealed class FlakyFactory(SqliteDatabase database, int failures) : IDbContextFactory<ArbBotDbContext>
    {
        private int _left = failures;

        public ArbBotDbContext CreateDbContext() =>
            Interlocked.Decrement(ref _left) >= 0
                ? throw new InvalidOperationException("database unavailable (test)")
                : database.CreateDbContext();
    }
}
