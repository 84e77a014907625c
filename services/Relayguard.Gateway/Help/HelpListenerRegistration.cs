using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Relayguard.Gateway.Help;

public static class HelpListenerRegistration
{
    /// <summary>
    /// Adds the public help listener when <c>Help:Listen</c> is set. An invalid address raises
    /// <see cref="FormatException"/> with a message that names the setting.
    /// </summary>
    public static IServiceCollection AddHelpListener(this IServiceCollection services, IConfiguration configuration)
    {
        var listen = configuration["Help:Listen"];
        if (string.IsNullOrWhiteSpace(listen))
        {
            return services;
        }

        var endPoint = Endpoints.ParseListen(listen, "Help:Listen (--help-listen)");
        services.AddSingleton(provider => new HelpListenerService(endPoint, provider.GetRequiredService<ILogger<HelpListenerService>>()));
        services.AddHostedService(provider => provider.GetRequiredService<HelpListenerService>());
        return services;
    }
}
