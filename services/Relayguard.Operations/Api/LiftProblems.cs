using Microsoft.AspNetCore.Http;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Api;

/// <summary>The response of a lift that found no active block to lift.</summary>
internal static class LiftProblems
{
    /// <summary>
    /// The 404 of a lift that found nothing active. Its detail names how the last matching block ended (who lifted it and when,
    /// or when it expired), so an operator whose colleague lifted the block first learns who did, and carries that
    /// block as <c>lastBlock</c>.
    /// </summary>
    public static IResult NothingLifted(string kind, string subject, string? code, IReadOnlyList<BlockRecord> history)
    {
        var activeCodes = history.Where(block => block.State == BlockStates.Active).Select(block => block.Code).Distinct().ToList();
        if (code is not null && activeCodes.Count > 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No active {code} block on {kind} '{subject}', so nothing was lifted. Active codes: {string.Join(", ", activeCodes)}.");
        }

        var blockName = code is null ? "block" : $"{code} block";
        var last = history.Where(block => code is null || block.Code == code).MaxBy(block => block.LiftedAt ?? block.ExpiresAt ?? block.BlockedAt);
        if (last is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No active {blockName} on {kind} '{subject}', so nothing was lifted. No {blockName} of it was ever recorded.");
        }

        var onSubject = last.Subject == subject ? string.Empty : $" on {last.Subject}";
        var ended = last.LiftedAt is { } liftedAt
            ? $"{last.LiftedBy} lifted the last one ({last.Code}{onSubject}) at {MessageTime(liftedAt)}: {last.LiftReason}"
            : $"The last one ({last.Code}{onSubject}) expired at {MessageTime(last.ExpiresAt ?? last.BlockedAt)}";
        return Results.Problem(
            detail: $"No active {blockName} on {kind} '{subject}', so nothing was lifted. {ended.TrimEnd('.')}.",
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found",
            extensions: new Dictionary<string, object?> { ["lastBlock"] = last with { Evidence = null } });
    }

    private static string MessageTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
