using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArbBot.Tests.Persistence;

/// <summary>Retention on each supported database: high-rate rows are rolled up or pruned, trade and audit rows never.</summary>
public abstract class RetentionServiceTests
{
    private static readonly DateTime Now = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);

    protected abstract Task<IDbContextFactory<ArbBotDbContext>> MigratedDatabaseAsync();

    [Fact]
    public async Task Old_pnl_snapshots_roll_up_to_the_last_of_each_hour_and_old_rejections_go_while_trades_and_audit_stay()
    {
        var contexts = await MigratedDatabaseAsync();
        var old = Now.AddDays(-10);
        await using (var db = await contexts.CreateDbContextAsync())
        {
            // Two old hours at one snapshot a minute, and the last hour at full granularity.
            for (var minute = 0; minute < 120; minute++) db.PnlSnapshots.Add(Snapshot(old.AddMinutes(minute), minute));
            for (var minute = 0; minute < 60; minute++) db.PnlSnapshots.Add(Snapshot(Now.AddMinutes(-60 + minute), 1000 + minute));
            db.Opportunities.Add(Opportunity(1, "Rejected", Now.AddDays(-40)));
            db.Opportunities.Add(Opportunity(2, "Taken", Now.AddDays(-40)));
            db.Opportunities.Add(Opportunity(3, "Rejected", Now.AddDays(-1)));
            db.Fills.Add(new FillRow { FillId = "f1", ClientOrderId = "o1", Venue = "Kalshi", Symbol = "K", Side = "Buy", Price = 0.4m, Quantity = 10, Liquidity = "Taker", AtUtc = old });
            db.Orders.Add(new OrderRow { ClientOrderId = "o1", Role = "FirstLeg", Venue = "Kalshi", Symbol = "K", Side = "Buy", TimeInForce = "Ioc", Status = "Filled", CreatedUtc = old, UpdatedUtc = old });
            db.OrderTransitions.Add(new OrderTransitionRow { ClientOrderId = "o1", FromStatus = "New", ToStatus = "Filled", AtUtc = old });
            db.Audit.Add(new AuditEntry { AtUtc = old, Actor = "a", Action = "limits.set", Target = "desk" });
            await db.SaveChangesAsync();
        }

        var retention = new RetentionService(contexts, Options.Create(new RetentionOptions()), TimeProvider.System, NullLogger<RetentionService>.Instance);
        var result = await retention.RunOnceAsync(new DateTimeOffset(Now), CancellationToken.None);

        Assert.Equal(118, result.PnlSnapshotsRolledUp);
        Assert.Equal(1, result.RejectedOpportunitiesDeleted);
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var kept = await db.PnlSnapshots.OrderBy(p => p.AtUtc).Select(p => p.Equity).ToListAsync();
            // The last of each old hour (minutes 59 and 119), then every recent one.
            Assert.Equal([59m, 119m, .. Enumerable.Range(1000, 60).Select(i => (decimal)i)], kept);
            Assert.Equal([2L, 3L], await db.Opportunities.OrderBy(o => o.Id).Select(o => o.Id).ToListAsync());
            Assert.Equal(1, await db.Fills.CountAsync());
            Assert.Equal(1, await db.Orders.CountAsync());
            Assert.Equal(1, await db.OrderTransitions.CountAsync());
            Assert.Equal(1, await db.Audit.CountAsync());
        }

        // A second run finds nothing more to do.
        Assert.Equal(new RetentionResult(0, 0), await retention.RunOnceAsync(new DateTimeOffset(Now), CancellationToken.None));
    }

    [Fact]
    public async Task Recording_files_older_than_their_keep_period_are_deleted_and_nothing_else()
    {
        var contexts = await MigratedDatabaseAsync();
        var folder = Directory.CreateTempSubdirectory("arbbot-retention-rec-").FullName;
        try
        {
            var options = new Engine.Recording.RecordingOptions { KeepFor = TimeSpan.FromDays(7) };
            using var recording = new Engine.Recording.DeskRecording(options, folder, TimeProvider.System, NullLoggerFactory.Instance);
            string File(string name, DateTime written)
            {
                var path = Path.Combine(folder, name);
                System.IO.File.WriteAllText(path, "x");
                System.IO.File.SetLastWriteTimeUtc(path, written);
                return path;
            }
            var old = File("book-events-20261101-000000-0001.abrec", Now.AddDays(-20));
            var recent = File("book-events-20261120-000000-0002.abrec", Now.AddDays(-1));
            var other = File("notes.txt", Now.AddDays(-20));
            var retention = new RetentionService(contexts, Options.Create(new RetentionOptions()), TimeProvider.System, NullLogger<RetentionService>.Instance, recording);

            var result = await retention.RunOnceAsync(new DateTimeOffset(Now), CancellationToken.None);

            Assert.Equal(1, result.RecordingFilesDeleted);
            Assert.False(System.IO.File.Exists(old));
            Assert.True(System.IO.File.Exists(recent));
            Assert.True(System.IO.File.Exists(other));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static PnlSnapshotRow Snapshot(DateTime at, int marker) => new() { AtUtc = at, Equity = marker };

    private static OpportunityRow Opportunity(long id, string decision, DateTime at) =>
        new() { Id = id, Strategy = "cross-venue", DetectedUtc = at, Decision = decision, Reason = "test" };
}

public sealed class SqliteRetentionServiceTests : RetentionServiceTests, IDisposable
{
    private SqliteDatabase? _database;

    protected override async Task<IDbContextFactory<ArbBotDbContext>> MigratedDatabaseAsync() => _database = await SqliteDatabase.MigratedAsync();

    public void Dispose() => _database?.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRetentionServiceTests(PostgresServer server) : RetentionServiceTests
{
    protected override Task<IDbContextFactory<ArbBotDbContext>> MigratedDatabaseAsync() => server.MigratedDatabaseAsync();
}
