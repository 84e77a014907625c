using Microsoft.Extensions.Logging;

namespace Relayguard.Operations.Allowlist;

/// <summary>The log messages of the allowlist. Subjects and operator names are logged, tokens never.</summary>
internal static partial class AllowlistLog
{
    [LoggerMessage(EventId = OperationsEventIds.AllowlistEntryAdded, Level = LogLevel.Information,
        Message = "Operator {Operator} allowlisted {Kind} {Subject} for {Code}, expiring {ExpiresAt} (event {EventId}): {Reason}")]
    public static partial void EntryAdded(ILogger logger, string @operator, string kind, string subject, string code, string expiresAt, Guid eventId, string reason);

    [LoggerMessage(EventId = OperationsEventIds.AllowlistEntryRemoved, Level = LogLevel.Information,
        Message = "Operator {Operator} removed allowlist entry {EntryId} of {Kind} {Subject} for {Code}.")]
    public static partial void EntryRemoved(ILogger logger, string @operator, string kind, string subject, string code, long entryId);
}
