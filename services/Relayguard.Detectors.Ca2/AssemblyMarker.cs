namespace Relayguard.Detectors.Ca2;
internal static class AssemblyMarker;
