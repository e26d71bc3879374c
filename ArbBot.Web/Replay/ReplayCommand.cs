using System.ComponentModel;
using System.Globalization;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Replay;
using ArbBot.Engine.Risk;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ArbBot.Web.Replay;

/// <summary>
/// <c>dotnet run --project ArbBot.Web -- replay PATH [--limits Name=Value,...] [--no-save]</c>: replays a recording file,
/// or a folder of rotated recording files, through a fresh desk (strategies, risk gate, paper execution, portfolio) on
/// the replay clock as fast as the machine allows, printing progress and the report, and saves the report to the
/// configured database (the dashboard's Replays page lists it) unless <c>--no-save</c>.
/// </summary>
public static class ReplayCommand
{
    public const string Verb = "replay";

    private const string Usage = "Usage: replay PATH [--limits Name=Value,...] [--no-save]   (PATH: a .abrec file or a folder of them; limits e.g. MaxTradeSize=100,PairCooldown=00:00:05)";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            error.WriteLine(Usage);
            return 2;
        }
        var limits = new RiskLimits();
        var limitsIndex = Array.IndexOf(args, "--limits");
        if (limitsIndex >= 0)
        {
            if (limitsIndex + 1 >= args.Length)
            {
                error.WriteLine(Usage);
                return 2;
            }
            if (!TryParseLimits(args[limitsIndex + 1], out limits, out var problem))
            {
                error.WriteLine($"replay: {problem}");
                return 2;
            }
        }
        IReadOnlyList<string> files;
        try
        {
            files = ReplayRunner.ResolveFiles(args[0]);
        }
        catch (FileNotFoundException e)
        {
            error.WriteLine($"replay: {e.Message}");
            return 1;
        }
        output.WriteLine($"Replaying {files.Count} file(s) from {Path.GetFullPath(args[0])}");
        var started = DateTimeOffset.UtcNow;
        ReplayRunResult result;
        try
        {
            var lastPercent = -1;
            // Without --limits the recorded desk's decisions are reproduced (its hub trace is followed); with them it is a what-if run.
            result = ReplayRunner.Run(files, new ReplayRunOptions { Limits = limits, FollowTrace = limitsIndex < 0 }, new ConsoleProgress(p =>
            {
                var percent = (int)(p.Fraction * 100);
                if (percent / 10 == lastPercent / 10) return;
                lastPercent = percent;
                output.WriteLine(FormattableString.Invariant($"  {percent,3}%  {p.Events:N0} events, replay clock {p.ReplayTime:yyyy-MM-dd HH:mm:ss}"));
            }), cancellationToken);
        }
        catch (RecordingFormatException e)
        {
            error.WriteLine($"replay: {e.Message}");
            return 1;
        }
        Print(output, result);
        if (args.Contains("--no-save")) return 0;
        try
        {
            var id = await SaveAsync(configuration, result, args[0], started, cancellationToken);
            output.WriteLine($"Report saved as replay report {id} (dashboard: /replays/{id}).");
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or IOException or System.Data.Common.DbException or OptionsValidationException)
        {
            error.WriteLine($"replay: the report could not be saved: {e.Message}");
            return 1;
        }
        return 0;
    }

    /// <summary>Parses <c>Name=Value,...</c> onto the default limits and validates them as the Risk page does.</summary>
    public static bool TryParseLimits(string text, out RiskLimits limits, out string problem)
    {
        limits = new RiskLimits();
        problem = "";
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, value) = part.Split('=', 2) is [var n, var v] ? (n.Trim(), v.Trim()) : (part, "");
            var property = typeof(RiskLimits).GetProperty(name);
            if (property is null || value.Length == 0)
            {
                problem = $"'{part}' is not Name=Value with a risk limit name ({string.Join(", ", typeof(RiskLimits).GetProperties().Select(p => p.Name))}).";
                return false;
            }
            object parsed;
            try
            {
                parsed = TypeDescriptor.GetConverter(property.PropertyType).ConvertFromString(null, CultureInfo.InvariantCulture, value)!;
            }
            catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException)
            {
                problem = $"{name}: '{value}' is not a valid {property.PropertyType.Name}.";
                return false;
            }
            // Records are immutable: set the init-only property on a copy.
            var copy = limits with { };
            property.SetValue(copy, parsed);
            limits = copy;
        }
        var violations = RiskLimitsValidator.Validate(limits);
        if (violations.Count == 0) return true;
        problem = string.Join("; ", violations.Select(v => v.Message));
        return false;
    }

    private static void Print(TextWriter output, ReplayRunResult result)
    {
        var r = result.Report;
        output.WriteLine(FormattableString.Invariant($"""
            Replay report
              period        {result.From:yyyy-MM-dd HH:mm:ss} to {result.To:yyyy-MM-dd HH:mm:ss} UTC ({result.Events:N0} events in {result.Elapsed.TotalSeconds:0.0} s, {(result.Elapsed.TotalSeconds > 0 ? result.Events / result.Elapsed.TotalSeconds : 0):N0} events/s)
              recording     {(result.Traced ? "hub trace followed (decisions as recorded)" : "hub trace not followed (what-if limits, or a generated recording)")}, {result.Gaps} gap(s), {result.EventsDropped} event(s) dropped by the recorder
              decisions     {result.Opportunities} opportunities, {result.OrdersSent} orders, {result.Fills} fills
              trades        {r.Trades} ({r.Wins} won, hit rate {r.HitRate:P1})
              hedges        {r.Hedges.HedgedWithinSlippage} within slippage, {r.Hedges.HedgedBeyondSlippage} beyond, {r.Hedges.Unwound} unwound, {r.Hedges.Residual} residual, {r.Hedges.NotFilled} not filled
              PnL           {r.FinalPnl:0.00}  max drawdown {r.MaxDrawdown:0.00}  Sharpe {(r.Sharpe is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "n/a")} (per-{r.CurveInterval.TotalMinutes:0.#}-min returns, annualized over 365 days)
            """));
        // Why opportunities were not taken, most common first (the part of each reason before its details).
        foreach (var reason in result.Journal.Opportunities.Where(o => o.Decision == Engine.Strategies.OpportunityDecision.Rejected)
                     .GroupBy(o => o.Reason.Split(':')[0]).OrderByDescending(g => g.Count()).Take(3))
        {
            output.WriteLine($"  rejected      {reason.Count()} × {reason.Key}");
        }
        output.WriteLine("  PnL curve");
        var step = Math.Max(1, r.Curve.Count / 20);
        for (var i = 0; i < r.Curve.Count; i += step) output.WriteLine(FormattableString.Invariant($"    {r.Curve[i].At:HH:mm:ss}  {r.Curve[i].Pnl,10:0.00}"));
    }

    private static async Task<long> SaveAsync(IConfiguration configuration, ReplayRunResult result, string source, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.BindSection<StorageOptions>(configuration, StorageOptions.Section);
        services.AddArbBotPersistence();
        services.AddSingleton<ReplayReportStore>();
        await using var provider = services.BuildServiceProvider();
        var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (!storage.UsePostgres) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(storage.SqlitePath))!);
        await using (var db = await provider.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync(cancellationToken))
        {
            await provider.GetRequiredService<SchemaMigrator>().MigrateAsync(db, cancellationToken);
        }
        return await provider.GetRequiredService<ReplayReportStore>().SaveAsync(result, Path.GetFileName(Path.TrimEndingDirectorySeparator(source)), started,
            DateTimeOffset.UtcNow, "command line", cancellationToken);
    }

    private sealed class ConsoleProgress(Action<ReplayProgress> report) : IProgress<ReplayProgress>
    {
        public void Report(ReplayProgress value) => report(value);
    }
}
