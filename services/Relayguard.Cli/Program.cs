Console.WriteLine("relayguard");
