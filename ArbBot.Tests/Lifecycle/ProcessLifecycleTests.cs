using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ArbBot.Engine.Control;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace ArbBot.Tests.Lifecycle;

/// <summary>
/// The app as a child process on the simulator, trading fast: stopped with SIGTERM, killed with SIGKILL mid-execution,
/// and restarted on the same SQLite file. What it leaves in the database is checked against what it announced.
/// </summary>
[Collection(ProcessLifecycleCollection.Name)]
public sealed partial class ProcessLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly string _folder = Directory.CreateTempSubdirectory("arbbot-lifecycle-").FullName;

    private string DatabasePath => Path.Combine(_folder, "arbbot.db");

    private static Dictionary<string, string> Trading(double dislocationsPerHour = 3600) => new()
    {
        ["ArbBot__Simulator__StepInterval"] = "00:00:00.020",
        ["ArbBot__Simulator__DislocationsPerHour"] = dislocationsPerHour.ToString(CultureInfo.InvariantCulture),
        // Orders spend a while travelling, so a stop or a kill finds some still open.
        ["ArbBot__Paper__Latency"] = "00:00:00.200",
        ["ArbBot__Lifecycle__ShutdownTimeout"] = "00:00:10",
    };

    [Fact]
    public async Task Sigterm_cancels_open_orders_saves_every_record_and_exits_within_the_limit()
    {
        await using var desk = DeskProcess.Start(DatabasePath, Trading());
        await desk.WaitForPhaseAsync("Running", TimeSpan.FromSeconds(90));
        Assert.True(await desk.ApproveTruePairsAsync() > 0);
        await WaitForFillsAsync(desk, atLeast: 4, TimeSpan.FromSeconds(120));

        var clock = Stopwatch.StartNew();
        desk.Terminate();
        Assert.True(await desk.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(20)), "The app did not exit after SIGTERM.");
        clock.Stop();

        var report = desk.Lines.FirstOrDefault(l => l.Contains("Shutdown:", StringComparison.Ordinal));
        output.WriteLine($"SIGTERM to exit: {clock.ElapsedMilliseconds} ms; exit code {desk.ExitCode}; {report}");
        Assert.Equal(0, desk.ExitCode);
        Assert.NotNull(report);
        // Bounded: the configured limit plus the runtime's own teardown.
        Assert.True(clock.Elapsed < ShutdownTimeout + TimeSpan.FromSeconds(5), $"Stopping took {clock.Elapsed}.");

        var open = Scalar("SELECT COUNT(*) FROM orders WHERE status NOT IN ('Filled','Cancelled','Rejected','Expired')");
        Assert.Equal(0L, open);
        var announced = AnnouncedFills(desk);
        var stored = StoredFillIds();
        output.WriteLine($"{stored.Count} fills stored, {announced.Count} announced, {Scalar("SELECT COUNT(*) FROM orders")} orders, all final");
        Assert.Subset(stored, announced.ToHashSet(StringComparer.Ordinal));
        AssertPositionsTableMatchesFills();
    }

    [Fact]
    public async Task Kill_minus_nine_during_executions_loses_no_recorded_fill_and_a_restart_reconciles_before_trading()
    {
        int announcedCount, storedAtKill;
        long openAtKill;
        var json = Trading();
        json["ArbBot__Logging__Json"] = "true";
        await using (var first = DeskProcess.Start(DatabasePath, json))
        {
            await first.WaitForPhaseAsync("Running", TimeSpan.FromSeconds(90));
            Assert.True(await first.ApproveTruePairsAsync() > 0);
            await WaitForFillsAsync(first, atLeast: 6, TimeSpan.FromSeconds(120));
            // Kill right after another fill is announced: executions are under way.
            var seen = AnnouncedFills(first).Count;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (AnnouncedFills(first).Count == seen && DateTime.UtcNow < deadline) await Task.Delay(5);
            first.KillHard();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));

            var announced = AnnouncedFills(first);
            var stored = StoredFillIds();
            announcedCount = announced.Count;
            storedAtKill = stored.Count;
            openAtKill = Scalar("SELECT COUNT(*) FROM orders WHERE status NOT IN ('Filled','Cancelled','Rejected','Expired')");
            // Every fill the app announced (only ever after its commit) is in the database.
            Assert.NotEmpty(announced);
            Assert.Subset(stored, announced.ToHashSet(StringComparer.Ordinal));
            AssertJsonLinesCarryCorrelationIds(first);
        }
        output.WriteLine($"After SIGKILL: {storedAtKill} fills stored, {announcedCount} announced, {openAtKill} orders recorded as open");

        // Hold trading across the restart the way an admin would (persisted and audited), so positions can be compared exactly.
        var store = new SettingsStore(new FileContexts(Options()), TimeProvider.System);
        var state = await store.LoadAsync(CancellationToken.None);
        await store.SaveAsync(state with { TradingPaused = true, PauseReason = "held after a crash" }, "lifecycle-test", "trading.pause", "running", "paused", CancellationToken.None);

        await using var second = DeskProcess.Start(DatabasePath, Trading(dislocationsPerHour: 0));
        var clock = Stopwatch.StartNew();
        var status = await second.WaitForPhaseAsync("Running", TimeSpan.FromSeconds(90));
        output.WriteLine($"Restart to reconciled: {clock.ElapsedMilliseconds} ms; {status.GetProperty("phaseDescription").GetString()}");
        Assert.True(status.GetProperty("tradingPaused").GetBoolean(), "The pause set before the restart was not reloaded.");
        Assert.Contains(second.Lines, l => l.Contains("Positions rebuilt from", StringComparison.Ordinal));
        // Reconciled: the orders that died with the first process are closed in the records.
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM orders WHERE status NOT IN ('Filled','Cancelled','Rejected','Expired')"));

        await Task.Delay(1_000); // one dashboard snapshot after the rebuild
        var positions = await second.Http.GetFromJsonAsync<JsonElement>("/api/positions");
        var expected = FillTotals();
        var shown = positions.GetProperty("positions").EnumerateArray()
            .Where(p => p.GetProperty("quantity").GetDecimal() != 0m)
            .ToDictionary(p => (p.GetProperty("venue").GetString()!, p.GetProperty("symbol").GetString()!), p => p.GetProperty("quantity").GetDecimal());
        Assert.Equal(expected.Where(e => e.Value.Quantity != 0m).ToDictionary(e => e.Key, e => e.Value.Quantity).OrderBy(e => e.Key), shown.OrderBy(e => e.Key));

        second.Terminate();
        Assert.True(await second.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(20)));
        Assert.Equal(0, second.ExitCode);
        AssertPositionsTableMatchesFills();
    }

    /// <summary>With ArbBot:Logging:Json each line is one JSON object; a fill's line carries its opportunity and order ids as a scope.</summary>
    private static void AssertJsonLinesCarryCorrelationIds(DeskProcess desk)
    {
        var line = desk.Lines.First(l => FillRecorded().IsMatch(l));
        using var entry = JsonDocument.Parse(line);
        var root = entry.RootElement;
        Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
        var scope = Assert.Single(root.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("ClientOrderId", out _));
        Assert.False(string.IsNullOrEmpty(scope.GetProperty("ClientOrderId").GetString()));
        Assert.True(scope.GetProperty("OpportunityId").GetInt64() > 0);
    }

    private async Task WaitForFillsAsync(DeskProcess desk, int atLeast, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (AnnouncedFills(desk).Count < atLeast)
        {
            if (desk.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Fewer than {atLeast} fills in {timeout}:\n{string.Join('\n', desk.Lines.TakeLast(30))}");
            }
            await Task.Delay(100);
        }
    }

    private static List<string> AnnouncedFills(DeskProcess desk) =>
        desk.Lines.Select(l => FillRecorded().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"Fill (\S+) recorded")]
    private static partial Regex FillRecorded();

    private void AssertPositionsTableMatchesFills()
    {
        var expected = FillTotals();
        var table = Rows("SELECT venue, symbol, quantity, fees FROM positions")
            .ToDictionary(r => ((string)r[0], (string)r[1]), r => (Quantity: Dec(r[2]), Fees: Dec(r[3])));
        foreach (var (key, totals) in expected)
        {
            Assert.True(table.TryGetValue(key, out var row), $"No position row for {key}.");
            Assert.Equal(totals.Quantity, row.Quantity);
            Assert.Equal(totals.Fees, row.Fees);
        }
    }

    private Dictionary<(string, string), (decimal Quantity, decimal Fees)> FillTotals()
    {
        var totals = new Dictionary<(string, string), (decimal Quantity, decimal Fees)>();
        foreach (var r in Rows("SELECT venue, symbol, side, quantity, fee FROM fills"))
        {
            var key = ((string)r[0], (string)r[1]);
            var (quantity, fees) = totals.GetValueOrDefault(key);
            var signed = (string)r[2] == "Buy" ? Dec(r[3]) : -Dec(r[3]);
            totals[key] = (quantity + signed, fees + Dec(r[4]));
        }
        return totals;
    }

    private static decimal Dec(object value) => decimal.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, NumberStyles.Float, CultureInfo.InvariantCulture);

    private HashSet<string> StoredFillIds() => Rows("SELECT fill_id FROM fills").Select(r => (string)r[0]).ToHashSet(StringComparer.Ordinal);

    private long Scalar(string sql) => Convert.ToInt64(Rows(sql).Single()[0], CultureInfo.InvariantCulture);

    private List<object[]> Rows(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    private DbContextOptions<ArbBotDbContext> Options() => new DbContextOptionsBuilder<ArbBotDbContext>()
        .UseSqlite(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ConnectionString).Options;

    private sealed class FileContexts(DbContextOptions<ArbBotDbContext> options) : IDbContextFactory<ArbBotDbContext>
    {
        public ArbBotDbContext CreateDbContext() => new(options);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The child-process tests each run a trading desk; one at a time is enough for two shared cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessLifecycleCollection
{
    public const string Name = "process lifecycle";
}
