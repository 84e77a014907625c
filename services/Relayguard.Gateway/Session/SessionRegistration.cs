using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.Gateway.Blocks;
using Relayguard.Gateway.Index;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

public static class SessionRegistration
{
    /// <summary>Adds the sender policy and this instance's RL1 count, with their options validated at start.</summary>
    public static IServiceCollection AddSessionPolicies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SenderPolicyOptions>().BindSection(configuration, SenderPolicyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SenderPolicyOptions>, SessionOptionsValidator>();
        services.AddOptions<RateLimitOptions>().BindSection(configuration, RateLimitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, SessionOptionsValidator>();
        services.AddSingleton<SenderPolicy>();
        services.AddSingleton(CreateRateCounter);
        return services;
    }

    /// <summary>Creates this instance's RL1 count with the messages of the last hour from the message index, so a restart keeps the count.</summary>
    private static LocalRateCounter CreateRateCounter(IServiceProvider services)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var counter = new LocalRateCounter(services.GetRequiredService<IOptions<RateLimitOptions>>(), time);
        var snapshot = services.GetRequiredService<BlockSnapshotStore>();
        var lifts = new Dictionary<string, DateTimeOffset>(snapshot.LiftTimes(BlockKinds.Ip, RuleCodes.Rl1), StringComparer.OrdinalIgnoreCase);
        foreach (var (account, liftedAt) in snapshot.LiftTimes(BlockKinds.Account, RuleCodes.Rl1))
        {
            lifts[account] = liftedAt;
        }

        // The index lists every recipient of a message, also those the upstream refused, so a restored count can
        // be a little above the live one, never below it.
        var relayed = services.GetRequiredService<MessageIndex>().RelayedSince(time.GetUtcNow() - TimeSpan.FromMinutes(61))
            .Select(message => new RelayedMessage(message.Account ?? IpKeys.BlockKey(message.ClientIp), message.SubmittedAt, message.Recipients));
        counter.Restore(relayed, lifts);
        return counter;
    }
}
