using MassTransit;
using Relayguard.Contracts;
using Relayguard.Gateway.Identity;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

/// <summary>
/// Ends this instance's AUTH throttle of a user name (on one address, or on all when the lift names none) and its
/// RL1 count of an account when an operator lifts those codes.
/// </summary>
public sealed class SessionAccountUnblockedConsumer(AuthThrottle throttle, LocalRateCounter rates) : IConsumer<AccountUnblocked>
{
    public Task Consume(ConsumeContext<AccountUnblocked> context)
    {
        var message = context.Message;
        if (message.Codes.Contains(AuthThrottled.Code, StringComparer.OrdinalIgnoreCase))
        {
            var clientKey = message.OnIp is null ? null : IpKeys.TryNormalizeSubject(message.OnIp, out var normalized) ? normalized : message.OnIp;
            throttle.Lift(clientKey, message.Account);
        }

        if (message.Codes.Contains(RuleCodes.Rl1, StringComparer.OrdinalIgnoreCase) && message.OnIp is null)
        {
            rates.Reset(message.Account);
        }

        return Task.CompletedTask;
    }
}
