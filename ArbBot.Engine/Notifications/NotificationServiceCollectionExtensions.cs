using ArbBot.Engine.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Notifications;

public static class NotificationServiceCollectionExtensions
{
    /// <summary>Discord and Telegram notifications: secrets from ArbBot:Notifications, settings persisted, sent off the hub's thread.</summary>
    public static IServiceCollection AddArbBotNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.BindSection<NotificationOptions>(configuration, NotificationOptions.Section);
        services.AddSingleton(sp => new NotificationSecrets(sp.GetRequiredService<IOptions<NotificationOptions>>().Value));
        services.AddSingleton<NotificationControls>();
        services.AddSingleton<NotificationQueue>();
        services.AddSingleton(sp => new NotificationSender(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) },
            sp.GetRequiredService<NotificationSecrets>(), sp.GetRequiredService<IOptions<NotificationOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.AddSingleton<ILoggerProvider, NotificationErrorLoggerProvider>();
        return services;
    }
}
