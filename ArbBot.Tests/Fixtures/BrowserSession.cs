using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// The desk served by Kestrel on a loopback port and Debian's chromium driven by Playwright (never a downloaded
/// browser). Screenshots go to artifacts/screenshots/ at the repository root.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private BrowserSession(DeskAppFactory app, IPlaywright playwright, IBrowser browser, IPage page, string baseUrl)
    {
        App = app;
        Playwright = playwright;
        Browser = browser;
        Page = page;
        BaseUrl = baseUrl;
    }

    public DeskAppFactory App { get; }
    public IPlaywright Playwright { get; }
    public IBrowser Browser { get; }
    public IPage Page { get; }
    public string BaseUrl { get; }

    /// <summary>What the page logged (console messages and uncaught errors), for failure messages.</summary>
    public System.Collections.Concurrent.ConcurrentBag<string> ConsoleMessages { get; } = [];

    /// <param name="port">The loopback port to serve on; 0 for any free one (a fixed one lets a test restart the server on the same address).</param>
    public static async Task<BrowserSession> StartAsync(DeskAppFactory app, int port = 0)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Browser tests need Debian's chromium at {ChromiumPath}; scripts/test.sh installs it with apt-get.");
        }
        app.UseKestrel(port);
        app.StartServer();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var baseUrl = addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');

        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        var session = new BrowserSession(app, playwright, browser, page, baseUrl);
        page.Console += (_, message) => session.ConsoleMessages.Add($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => session.ConsoleMessages.Add($"page error: {error}");
        return session;
    }

    /// <summary>
    /// Signs in through the real form and waits for the dashboard to be live (its circuit connected), as a person waits
    /// for the page before clicking on: a link clicked before that races the script's start-up.
    /// </summary>
    public async Task SignInAsync(string user, string password)
    {
        await Page.GotoAsync(BaseUrl + "/");
        await Page.WaitForURLAsync(url => url.Contains("/login", StringComparison.Ordinal));
        await Page.FillAsync("#username", user);
        await Page.FillAsync("#password", password);
        await Page.ClickAsync("button[type=submit]");
        await Page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        await Page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
    }

    public const string ViewerUser = "desk-viewer";
    public const string ViewerPassword = "viewer-password-for-tests";

    /// <summary>Creates a Viewer (read-only) account for the test.</summary>
    public Task CreateViewerAsync() =>
        App.Services.GetRequiredService<ArbBot.Web.Auth.UserAccounts>()
            .UpsertAsync(ViewerUser, ViewerPassword, ArbBot.Engine.Persistence.Roles.Viewer, "test", CancellationToken.None);

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(RepositoryRoot(), "artifacts", "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ArbBot.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>
/// Browser tests run one at a time: each starts the whole desk and a chromium, and on a two-core machine several at once
/// starve each other's circuits past any sensible timeout. The rest of the suite still runs beside them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
