using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class PrivateDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("relayguard-private-").FullName;

    [Fact]
    public void Create_NewFolder_OwnerOnly()
    {
        var path = Path.Combine(_root, "data");

        PrivateDirectory.Create(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Create_ExistingFolder_KeepsMode()
    {
        var path = Path.Combine(_root, "shared");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        Directory.CreateDirectory(path, mode);

        PrivateDirectory.Create(path);

        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
