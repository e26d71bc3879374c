using ArbBot.Engine.Control;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ReconnectTests
{
    [Fact]
    public async Task The_banner_shows_while_the_server_is_away_and_the_page_recovers_by_itself_when_it_returns()
    {
        var folder = Directory.CreateTempSubdirectory("arbbot-test-").FullName;
        var port = LoopbackServer.FreePort();
        DeskAppFactory? second = null;
        try
        {
            await using var session = await BrowserSession.StartAsync(new QuickStopDeskAppFactory(folder), port);
            var page = session.Page;
            var banner = page.Locator("#components-reconnect-modal");
            await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
            await page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
            Assert.False(await banner.IsVisibleAsync());
            await page.EvaluateAsync("() => window.beforeRestart = true");

            // The server goes away (the process stops): the banner says so and the page keeps retrying.
            await session.App.DisposeAsync();
            await page.Locator("#components-reconnect-modal.components-reconnect-show").WaitForAsync();
            Assert.Contains("Lost the connection to the desk", await banner.InnerTextAsync(), StringComparison.Ordinal);
            await session.ScreenshotAsync("reconnect");
            // A few failed attempts later it is still trying, not given up.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Contains("components-reconnect-show", await banner.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);

            // A new server on the same address and database: it does not know the old circuit, so the page reloads itself.
            second = new QuickStopDeskAppFactory(folder);
            LoopbackServer.Start(second, port);
            // (The old page keeps its last picture while away, so wait for the banner to go before looking for live controls.)
            await banner.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Hidden, Timeout = 60_000 });
            await page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
            Assert.False(await page.EvaluateAsync<bool>("() => window.beforeRestart === true"), "the page should have reloaded for the new server");

            // And it works: a click reaches the new server.
            await page.ClickAsync("[data-testid=pause-trading]");
            var controls = second.Services.GetRequiredService<DeskControls>();
            for (var attempt = 0; attempt < 100 && !controls.TradingPaused; attempt++) await Task.Delay(100);
            Assert.True(controls.TradingPaused, "the pause clicked after the restart should reach the new server: " + string.Join(" | ", session.ConsoleMessages));
        }
        finally
        {
            if (second is not null) await second.DisposeAsync();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; the OS cleans temp folders.
            }
        }
    }

    /// <summary>The desk on a given data folder that stops within a second (an open live connection would hold it 30 s).</summary>
    private sealed class QuickStopDeskAppFactory(string folder) : DeskAppFactory(dataDirectory: folder)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1)));
        }
    }
}
