using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Browser;

/// <summary>
/// The Content-Security-Policy the server sends lets the real dashboard work: sign-in form, the live circuit, Radzen's
/// components, a click that changes the desk, and a plotly chart, on every page, with no violation reported.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyTests
{
    private const string RecordViolations =
        "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));";

    [Fact]
    public async Task Every_page_works_under_the_policy_with_no_violation_reported()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;
        await page.AddInitScriptAsync(RecordViolations);
        await session.App.Services.GetRequiredService<EngineHost>().Ready;
        var pairId = (await DeskPairs.ApproveTruePairsAsync(session.App.Services, 1))[0];

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        var violations = new List<string>();
        foreach (var path in new[] { "/", "/pairs", "/spreads", "/trades", "/orders", "/positions", "/signals", "/strategies", "/risk", "/audit", "/users", "/notifications" })
        {
            await page.GotoAsync(session.BaseUrl + path);
            await page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
            violations.AddRange((await page.EvaluateAsync<string[]>("() => window.__cspViolations")).Select(v => $"{path}: {v}"));
        }

        // The circuit carries a click to the server (the header's pause button) ...
        await page.ClickAsync("[data-testid=pause-trading]");
        await WaitUntilAsync(() => session.App.Services.GetRequiredService<DeskControls>().TradingPaused);
        // ... and plotly (loaded on demand from this origin) draws the spread chart.
        await page.GotoAsync($"{session.BaseUrl}/spreads/{pairId}");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=spread-chart]')?.data?.length === 6",
            null, new() { Timeout = 60_000 });
        await page.Locator("[data-testid=spread-chart] .main-svg").First.WaitForAsync();
        violations.AddRange((await page.EvaluateAsync<string[]>("() => window.__cspViolations")).Select(v => $"chart: {v}"));

        var consoleReports = session.ConsoleMessages.Where(m =>
            m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || m.Contains("Refused to", StringComparison.Ordinal)).ToList();
        Assert.True(violations.Count == 0 && consoleReports.Count == 0,
            "CSP violations: " + string.Join(" | ", violations.Concat(consoleReports)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition was not met within 30 s.");
            await Task.Delay(50);
        }
    }
}
