namespace Relayguard.ServiceDefaults;

/// <summary>Creates the folders that hold state: password and token hashes, the audit log, queued messages.</summary>
public static class PrivateDirectory
{
    /// <summary>
    /// Creates the folder, with its missing parents, readable by its owner only (0700) on Unix. A folder that exists
    /// keeps its mode, because the operator may have chosen it (a group that backs it up, for example).
    /// </summary>
    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
