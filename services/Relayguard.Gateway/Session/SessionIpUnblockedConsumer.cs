using MassTransit;
using Relayguard.Contracts;
using Relayguard.Gateway.Identity;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

/// <summary>Ends this instance's AUTH throttle and RL1 count for an address when an operator lifts those codes on it.</summary>
public sealed class SessionIpUnblockedConsumer(AuthThrottle throttle, LocalRateCounter rates) : IConsumer<IpUnblocked>
{
    public Task Consume(ConsumeContext<IpUnblocked> context)
    {
        var message = context.Message;
        var subject = IpKeys.TryNormalizeSubject(message.Ip, out var normalized) ? normalized : message.Ip;
        if (message.Codes.Contains(AuthThrottled.Code, StringComparer.OrdinalIgnoreCase))
        {
            throttle.Lift(subject, null);
        }

        if (message.Codes.Contains(RuleCodes.Rl1, StringComparer.OrdinalIgnoreCase))
        {
            rates.Reset(subject);
        }

        return Task.CompletedTask;
    }
}
