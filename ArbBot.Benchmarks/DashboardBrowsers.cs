using System.Globalization;
using Microsoft.Playwright;

namespace ArbBot.Benchmarks;

/// <summary>
/// Real dashboard clients for <c>fanout --browsers N</c>: one Debian chromium (Playwright), signed in through the login
/// form once, with N pages open on a live dashboard page, each a Blazor circuit that the app re-renders on every desk
/// refresh. The browser runs at the lowest scheduling priority (nice 19): on this two-core machine it shares the cores
/// with the app, where real browsers would run on other machines, so it only takes what the app leaves idle. What the
/// app does for the circuits (render, diff, serialize, send) is in the app's process and counts against the engine.
/// </summary>
internal sealed class DashboardBrowsers : IAsyncDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";

    // Counts the DOM changes Blazor applies (one observer callback per applied batch, near enough) on each page.
    private const string CountUpdates = """
        window.__arbbotUpdates = 0;
        new MutationObserver(() => { window.__arbbotUpdates++; }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
        """;

    private const string CircuitLive = """
        () => { const banner = document.getElementById('components-reconnect-modal');
                return !banner || !/components-reconnect-(show|failed|rejected)/.test(banner.className); }
        """;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<IPage> _pages;
    private readonly string _wrapper;

    private DashboardBrowsers(IPlaywright playwright, IBrowser browser, List<IPage> pages, string wrapper)
    {
        _playwright = playwright;
        _browser = browser;
        _pages = pages;
        _wrapper = wrapper;
    }

    public int Count => _pages.Count;

    public static async Task<DashboardBrowsers> OpenAsync(Uri baseUrl, string user, string password, int count, string path)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(ChromiumPath)) throw new InvalidOperationException($"--browsers needs Debian's chromium at {ChromiumPath} (apt-get install chromium).");
        var wrapper = Path.Combine(Path.GetTempPath(), $"arbbot-nice-chromium-{Environment.ProcessId}.sh");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec nice -n 19 {ChromiumPath} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = wrapper,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-renderer-backgrounding",
                    "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(180_000);
        await context.AddInitScriptAsync(CountUpdates);
        var login = await context.NewPageAsync();
        await login.GotoAsync(new Uri(baseUrl, "/login").ToString());
        await login.FillAsync("#username", user);
        await login.FillAsync("#password", password);
        await login.ClickAsync("button[type=submit]");
        await login.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        await login.CloseAsync();

        var pages = new List<IPage>(count);
        var target = new Uri(baseUrl, path).ToString();
        for (var i = 0; i < count; i++)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(target);
            // The circuit is up once the header's controls say so (as the browser tests wait).
            await page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
            pages.Add(page);
        }
        return new DashboardBrowsers(playwright, browser, pages, wrapper);
    }

    /// <summary>DOM updates applied per page since it opened, pages whose circuit is still live, and the most table rows a page shows.</summary>
    public async Task<(long[] Updates, int Live, int MostRows)> ReadAsync()
    {
        var updates = new long[_pages.Count];
        var live = 0;
        var mostRows = 0;
        for (var i = 0; i < _pages.Count; i++)
        {
            mostRows = Math.Max(mostRows, await _pages[i].EvaluateAsync<int>("() => document.querySelectorAll('tbody tr').length"));
            updates[i] = await _pages[i].EvaluateAsync<long>("() => window.__arbbotUpdates ?? 0");
            // blazor.web.js marks the reconnect banner (Layout/ReconnectBanner.razor) when the circuit is lost.
            if (await _pages[i].EvaluateAsync<bool>(CircuitLive)) live++;
        }
        return (updates, live, mostRows);
    }

    /// <summary>Processor-seconds used so far by every chromium process on the machine (utime + stime from /proc).</summary>
    public static double ChromiumSeconds()
    {
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || !stat[(open + 1)..close].Contains("chrom", StringComparison.Ordinal)) continue;
                var fields = stat[(close + 2)..].Split(' ');
                // After the name: state is field 0, utime field 11, stime field 12.
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }
        return ticks / 100.0; // USER_HZ
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        File.Delete(_wrapper);
    }
}
