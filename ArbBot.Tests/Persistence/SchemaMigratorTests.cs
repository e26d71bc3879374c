using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Tests.Persistence;

/// <summary>What every supported database must do with the schema; run against SQLite and a real PostgreSQL server.</summary>
public abstract class SchemaMigratorContract
{
    protected static SchemaMigrator Migrator => new(TimeProvider.System, NullLogger<SchemaMigrator>.Instance);

    /// <summary>A fresh database migrated with <paramref name="migrations"/> (all of them by default).</summary>
    protected abstract Task<IDbContextFactory<ArbBotDbContext>> MigratedAsync(IReadOnlyList<SchemaMigration>? migrations = null);

    [Fact]
    public async Task Every_mapped_table_round_trips_on_a_migrated_database()
    {
        var database = await MigratedAsync();
        var now = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
        await using (var db = database.CreateDbContext())
        {
            db.Users.Add(new UserAccount { UserName = "u", PasswordHash = "h", Role = Roles.Admin, CreatedUtc = now });
            db.Audit.Add(new AuditEntry { AtUtc = now, Actor = "a", Action = "x", Target = "t", OldValue = "1", NewValue = "2" });
            db.Pairs.Add(new PairRow { KalshiMarketKey = "K", PolymarketMarketKey = "P", Mapping = "YesYes", Status = "Suggested", Score = 87.5, CreatedUtc = now, UpdatedUtc = now });
            db.Opportunities.Add(new OpportunityRow { Id = 42, Strategy = "cross-venue", PairId = 1, DetectedUtc = now, Quantity = 10, GrossEdgePerSet = 0.03m, TotalCosts = 0.12m, NetEdgePerSet = 0.018m, ExpectedProfit = 0.18m, Decision = "Taken", Reason = "r" });
            db.Orders.Add(new OrderRow { ClientOrderId = "o42-l0-a0", OpportunityId = 42, PairId = 1, Role = "FirstLeg", Venue = "Kalshi", Symbol = "K:yes", Side = "Buy", LimitPrice = 0.47m, Quantity = 10, TimeInForce = "Ioc", Status = "Filled", FilledQuantity = 10, CreatedUtc = now, UpdatedUtc = now });
            db.OrderTransitions.Add(new OrderTransitionRow { ClientOrderId = "o42-l0-a0", FromStatus = "New", ToStatus = "Submitted", FilledQuantity = 0, AtUtc = now });
            db.Fills.Add(new FillRow { FillId = "f1", ClientOrderId = "o42-l0-a0", OpportunityId = 42, PairId = 1, Venue = "Kalshi", Symbol = "K:yes", Side = "Buy", Price = 0.47m, Quantity = 10, Fee = 0.18m, Liquidity = "Taker", AtUtc = now });
            db.Executions.Add(new ExecutionRow { OpportunityId = 42, PairId = 1, Strategy = "cross-venue", Kind = "Hedged", PlannedQuantity = 10, HedgedQuantity = 10, NetCashOut = 9.6m, Fees = 0.2m, ExpectedProfit = 0.2m, LockedProfit = 0.2m, DetectedUtc = now, CompletedUtc = now, DetectionToLastFillMs = 61.5, Summary = "s" });
            db.RiskEvents.Add(new RiskEventRow { AtUtc = now, Rule = "MaxTradeSize", Verdict = "Resize", OpportunityId = 42, PairId = 1, Detail = "d" });
            db.Positions.Add(new PositionRow { Venue = "Kalshi", Symbol = "K:yes", Quantity = 10, AverageCost = 0.47m, Fees = 0.18m, RealizedPnl = 0, UpdatedUtc = now });
            db.PnlSnapshots.Add(new PnlSnapshotRow { AtUtc = now, RealizedPnl = 1, UnrealizedPnl = -0.5m, Equity = 10_000.5m, DailyPnl = 0.5m, Drawdown = 0.25m, Fees = 0.38m });
            db.Settings.Add(new SettingRow { Key = "k", ValueJson = "{}", UpdatedUtc = now, UpdatedBy = "a" });
            await db.SaveChangesAsync();
        }

        await using var read = database.CreateDbContext();
        Assert.Equal(0.018m, (await read.Opportunities.SingleAsync()).NetEdgePerSet);
        Assert.Equal(0.47m, (await read.Orders.SingleAsync()).LimitPrice);
        Assert.Equal(now, (await read.Fills.SingleAsync()).AtUtc);
        Assert.Equal(61.5, (await read.Executions.SingleAsync()).DetectionToLastFillMs);
        Assert.Equal(10_000.5m, (await read.PnlSnapshots.SingleAsync()).Equity);
        Assert.Equal(1, await read.Users.CountAsync());
        Assert.Equal(1, await read.Audit.CountAsync());
        Assert.Equal(1, await read.Pairs.CountAsync());
        Assert.Equal(1, await read.OrderTransitions.CountAsync());
        Assert.Equal(1, await read.RiskEvents.CountAsync());
        Assert.Equal(1, await read.Positions.CountAsync());
        Assert.Equal(1, await read.Settings.CountAsync());
    }

    [Fact]
    public async Task Migrating_twice_applies_nothing_the_second_time()
    {
        var database = await MigratedAsync();
        await using var db = database.CreateDbContext();
        Assert.Empty(await Migrator.MigrateAsync(db, CancellationToken.None));
    }

    [Fact]
    public async Task A_first_release_database_upgrades_with_its_rows_intact()
    {
        var database = await MigratedAsync([SchemaMigrator.Migrations[0]]);
        var now = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var db = database.CreateDbContext())
        {
            // Only the first release's tables exist yet: write through SQL, as that release would have.
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO users (user_name, password_hash, role, created_utc, failed_logins) VALUES ('old-admin', 'hash', 'Admin', '2026-11-01 00:00:00', 0)");
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO audit (at_utc, actor, action, target) VALUES ('2026-11-01 00:00:00', 'first-run', 'user.created', 'old-admin')");
        }

        await using (var db = database.CreateDbContext())
        {
            var applied = await Migrator.MigrateAsync(db, CancellationToken.None);
            Assert.Equal(SchemaMigrator.Migrations.Skip(1).Select(m => m.Version), applied);
        }

        await using var read = database.CreateDbContext();
        var user = await read.Users.SingleAsync();
        Assert.Equal("old-admin", user.UserName);
        Assert.Equal(now, user.CreatedUtc);
        Assert.Equal("user.created", (await read.Audit.SingleAsync()).Action);
        Assert.Equal(0, await read.Pairs.CountAsync());
    }

    [Fact]
    public async Task A_database_from_a_newer_release_is_refused()
    {
        var database = await MigratedAsync();
        await using var db = database.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync("INSERT INTO schema_version (version, name, applied_utc) VALUES (999, 'future', '2030-01-01')");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator.MigrateAsync(db, CancellationToken.None));
        Assert.Contains("newer than this release", error.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteSchemaMigratorTests : SchemaMigratorContract, IDisposable
{
    private readonly List<SqliteDatabase> _databases = [];

    protected override async Task<IDbContextFactory<ArbBotDbContext>> MigratedAsync(IReadOnlyList<SchemaMigration>? migrations = null)
    {
        var database = await SqliteDatabase.MigratedAsync(migrations);
        _databases.Add(database);
        return database;
    }

    public void Dispose()
    {
        foreach (var database in _databases) database.Dispose();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaMigratorTests(PostgresServer server) : SchemaMigratorContract
{
    protected override async Task<IDbContextFactory<ArbBotDbContext>> MigratedAsync(IReadOnlyList<SchemaMigration>? migrations = null)
    {
        var factory = new NpgsqlFactory(server.CreateDatabase());
        await using var db = factory.CreateDbContext();
        await Migrator.MigrateAsync(db, migrations ?? SchemaMigrator.Migrations, CancellationToken.None);
        return factory;
    }

    private sealed class NpgsqlFactory(string connectionString) : IDbContextFactory<ArbBotDbContext>
    {
        public ArbBotDbContext CreateDbContext() =>
            new(new DbContextOptionsBuilder<ArbBotDbContext>().UseNpgsql(connectionString).Options);
    }
}
