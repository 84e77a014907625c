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
}
