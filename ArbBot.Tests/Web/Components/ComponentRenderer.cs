using System.Security.Claims;
using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Venues;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using Radzen;

namespace ArbBot.Tests.Web.Components;

/// <summary>
/// Renders dashboard components to HTML with the framework's <see cref="HtmlRenderer"/> (bUnit is not served here):
/// the services Radzen and the desk's components ask for, a signed-in user cascaded like the app does, no browser.
/// Rendering is static, as in the server's pre-render: no circuit, no JavaScript.
/// </summary>
public sealed class ComponentRenderer : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly HtmlRenderer _renderer;

    /// <param name="live">True to render with live trading armed (as after an admin armed it).</param>
    public ComponentRenderer(bool live = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRadzenComponents();
        services.AddSingleton<NavigationManager, FixedNavigationManager>();
        services.AddSingleton<IJSRuntime, NoJavaScript>();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new ArbBotOptions()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<InstrumentRegistry>();
        services.AddSingleton(sp => new MarketDataHub(sp.GetRequiredService<InstrumentRegistry>(), TimeProvider.System));
        services.AddSingleton(new VenueSet([], new Dictionary<VenueId, Engine.Execution.IOrderGateway>()));
        // Commands are never run by a render; the store behind them is a database nobody opens.
        services.AddDbContextFactory<ArbBotDbContext>(o => o.UseSqlite("Data Source=:memory:"));
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<Engine.Persistence.RecordWriter>();
        services.AddSingleton<DeskControls>();
        services.AddSingleton<Engine.Strategies.SpikeHunter.SpikeHunterControls>();
        services.AddSingleton<Engine.Notifications.NotificationControls>();
        services.AddSingleton<Engine.Lifecycle.DeskLifecycle>();
        // Renders never switch the route nor open a venue's gateway.
        services.AddSingleton(sp => new LiveTrading(sp.GetRequiredService<MarketDataHub>(),
            () => throw new InvalidOperationException("A render switched live trading."),
            () => throw new InvalidOperationException("A render opened live gateways.")));
        services.AddSingleton<DeskCommands>();
        _services = services.BuildServiceProvider();
        if (live) _services.GetRequiredService<LiveTrading>().Publish(new LiveTradingState(true, "alice", DateTimeOffset.UnixEpoch));
        _renderer = new HtmlRenderer(_services, _services.GetRequiredService<ILoggerFactory>());
    }

    public IServiceProvider Services => _services;

    /// <summary>Renders <typeparamref name="TComponent"/> as <paramref name="user"/> (null: nobody signed in) and returns its HTML.</summary>
    public Task<string> RenderAsync<TComponent>(ClaimsPrincipal? user = null, IDictionary<string, object?>? parameters = null) where TComponent : IComponent =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var state = Task.FromResult(new AuthenticationState(user ?? new ClaimsPrincipal(new ClaimsIdentity())));
            RenderFragment content = builder =>
            {
                builder.OpenComponent<TComponent>(0);
                if (parameters is not null) builder.AddMultipleAttributes(1, parameters!);
                builder.CloseComponent();
            };
            var output = await _renderer.RenderComponentAsync<CascadingValue<Task<AuthenticationState>>>(ParameterView.FromDictionary(
                new Dictionary<string, object?> { ["Value"] = state, ["ChildContent"] = content }));
            return output.ToHtmlString();
        });

    public static ClaimsPrincipal User(string name, string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "Cookies"));

    public async ValueTask DisposeAsync()
    {
        await _renderer.DisposeAsync();
        await _services.DisposeAsync();
    }

    private sealed class FixedNavigationManager : NavigationManager
    {
        public FixedNavigationManager() => Initialize("http://localhost/", "http://localhost/");
    }

    /// <summary>A static render never calls JavaScript; if a component tried, the test should say so.</summary>
    private sealed class NoJavaScript : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            throw new InvalidOperationException($"A static render called JavaScript '{identifier}'.");

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            throw new InvalidOperationException($"A static render called JavaScript '{identifier}'.");
    }
}
