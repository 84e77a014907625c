namespace Relayguard.ServiceDefaults;

/// <summary>
/// A setting that cannot be used, found while the host is being put together: its message is the one line that
/// names the key, the value and the fix, which <see cref="StartupFailure.Describe"/> prints instead of a stack trace.
/// </summary>
public sealed class SettingException : Exception
{
    public SettingException()
    {
    }

    public SettingException(string message)
        : base(message)
    {
    }

    public SettingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Creates the data folder and opens the SQLite file in it, turning a folder that cannot be made or a file that
    /// cannot be opened into a <see cref="SettingException"/> that names <paramref name="key"/>.
    /// </summary>
    public static SqliteDatabase OpenStore(string databasePath, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        try
        {
            return new SqliteDatabase(databasePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new SettingException(
                $"Invalid {key}: the SQLite file {Path.GetFullPath(databasePath)} cannot be created or opened ({ex.Message.TrimEnd('.')}). Give a folder that this user may write.",
                ex);
        }
    }
}
