using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Tokens;

/// <summary>The operator token that the first start writes to <c>DATA/ops-token</c>.</summary>
public static class OperatorTokens
{
    public const string FileName = "ops-token";
    public const string InitialTokenName = "admin";

    /// <summary>
    /// Creates a token named <c>admin</c> with the <c>operate</c> role when no token exists, writes it to
    /// <c>DATA/ops-token</c> (mode 0600, without a trailing newline) and returns that path. Returns null when
    /// tokens existed. The host calls this before any listener opens and logs only the path.
    /// </summary>
    public static string? EnsureInitialToken(string dataDirectory, SqliteDatabase database) =>
        EnsureInitialToken(dataDirectory, new SqliteTokenStore(database));

    /// <inheritdoc cref="EnsureInitialToken(string, SqliteDatabase)"/>
    public static string? EnsureInitialToken(string dataDirectory, ITokenStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var path = Path.Combine(Path.GetFullPath(dataDirectory), FileName);
        var created = store.AddFirst(InitialTokenName, OperatorRoles.Operate, "startup", token => WriteTokenFile(path, token));
        return created ? path : null;
    }

    private static void WriteTokenFile(string path, string token)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // A file left from an earlier database contains a token that no longer works. Deleting it and creating
        // the file anew (O_EXCL) makes sure the mode is 0600 from the first byte and no symbolic link is followed.
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(token);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }
}
