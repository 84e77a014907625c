using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

/// <summary>Answers <see cref="GetCa1Counts"/> with the account's counts in its latest windows, for the operations console's chart.</summary>
public sealed class Ca1CountsConsumer(ICa1Store store, Ca1Rule rule, IOptions<Ca1Options> options, TimeProvider time, ILogger<Ca1CountsConsumer> logger)
    : IConsumer<GetCa1Counts>
{
    /// <summary>One week of the default one-hour windows.</summary>
    public const int MaxWindows = 168;

    public async Task Consume(ConsumeContext<GetCa1Counts> context)
    {
        var settings = options.Value;
        var request = context.Message;
        var windowCount = Math.Clamp(request.Windows, 1, MaxWindows);
        var current = rule.WindowStartOf(time.GetUtcNow());
        var windows = new List<Ca1WindowCount>(windowCount);
        for (var i = windowCount - 1; i >= 0; i--)
        {
            var tally = await store.GetTallyAsync(request.Account, current - (settings.WindowDuration * i), context.CancellationToken);
            windows.Add(new Ca1WindowCount { WindowStart = tally.WindowStart, DistinctRecipients = tally.DistinctRecipients, InvalidRecipients = tally.InvalidRecipients });
        }

        await context.RespondAsync(new Ca1Counts
        {
            Account = request.Account,
            WindowSeconds = settings.WindowDuration.TotalSeconds,
            MinInvalidRecipients = settings.MinInvalidRecipients,
            MinInvalidShare = settings.MinInvalidShare,
            WarnAt = settings.WarnAt,
            Windows = windows,
        });
        Log.CountsAnswered(logger, request.Account, windowCount);
    }
}
