namespace Relayguard.Operations.Audit;

/// <summary>The append-only record of every block, lift, allowlist and token change. The stores append an entry with the change itself.</summary>
public interface IAuditLog
{
    private const string CursorList = "audit";

    static bool TryParseCursor(string cursor, out long afterId) =>
        PageCursor.TryDecode(CursorList, cursor, out _, out afterId);

    internal static string EncodeCursor(long lastId) => PageCursor.Encode(CursorList, 0, lastId);

    /// <summary>Reads a page of entries, newest first, optionally only those about one kind or subject.</summary>
    Page<AuditEntry> List(int limit, long? afterId = null, string? kind = null, string? subject = null);
}
