namespace ArbBot.Engine.Venues.Simulated;

// The catalog's content. Titles, tickers and rules follow each venue's house style: Kalshi's terse titles and
// SERIES-DATE-STRIKE tickers, Polymarket's question phrasing and slugs. Dates are the 2026–27 season the simulation
// is set in. Crypto pairs cite the same reference rate on both venues (a simplification: the real venues differ).
public sealed partial class SimulatedCatalog
{
    private static string KalshiRules(string condition, string source) =>
        $"If {condition}, then the market resolves to Yes. Otherwise, it resolves to No. Source: {source}.";

    private static string PolymarketRules(string condition, string source) =>
        $"This market will resolve to \"Yes\" if {condition}. Otherwise, this market will resolve to \"No\". The resolution source for this market will be {source}.";

    private void Populate()
    {
        const string Bls = "Bureau of Labor Statistics";
        const string Bea = "Bureau of Economic Analysis";
        const string Fomc = "Federal Reserve FOMC statement";
        const string Brti = "CF Benchmarks Real-Time Index";

        // 1. Fed decision, December 2026: four exclusive, exhaustive outcomes on both venues.
        var fed = Group("fed-2026-12", ("Cut >25bps", 0.05), ("Cut 25bps", 0.62), ("Hold", 0.31), ("Hike", 0.02));
        var fedClose = Utc(2026, 12, 9, 19, 0);
        KalshiEvent("KXFEDDECISION-26DEC", "Fed decision in Dec 2026", "Economics", mutuallyExclusive: true);
        string[] fedSuffix = ["C26", "C25", "H0", "H25"];
        string[] fedKalshi = ["Cut >25bps", "Cut 25bps", "Hold", "Hike"];
        string[] fedPoly =
        [
            "Will the Fed decrease interest rates by 50+ bps after the December 2026 meeting?",
            "Will the Fed decrease interest rates by 25 bps after the December 2026 meeting?",
            "Will there be no change in Fed interest rates after the December 2026 meeting?",
            "Will the Fed increase interest rates by 25+ bps after the December 2026 meeting?",
        ];
        PolymarketEvent("fed-decision-in-december-2026", "Fed decision in December 2026?", "Economy", negRisk: true);
        for (var i = 0; i < 4; i++)
        {
            Kalshi("KXFEDDECISION-26DEC", fedSuffix[i], $"Fed decision Dec 2026: {fedKalshi[i]}?",
                KalshiRules($"the FOMC's target rate decision announced on Dec 9, 2026 is {fedKalshi[i]}", Fomc), Fomc, fedClose, fed + i,
                makerFees: true, label: fedKalshi[i]);
            Polymarket("fed-decision-in-december-2026", fedPoly[i],
                PolymarketRules($"the upper bound of the federal funds target range changes as described after the FOMC meeting of December 8–9, 2026 ({fedKalshi[i]})", "the FOMC statement"),
                "FOMC statement", fedClose, fed + i, label: fedKalshi[i]);
        }

        // 2. CPI year over year, November 2026, with a threshold decoy on Kalshi and a core-CPI decoy on Polymarket.
        var cpi29 = Question("cpi-yoy-2026-11-2.9", 0.55);
        var cpi30 = Question("cpi-yoy-2026-11-3.0", 0.33);
        var core29 = Question("core-cpi-yoy-2026-11-2.9", 0.61);
        var cpiClose = Utc(2026, 12, 10, 13, 30);
        KalshiEvent("KXCPIYOY-26NOV", "CPI year-over-year in Nov 2026", "Economics");
        Kalshi("KXCPIYOY-26NOV", "T2.9", "CPI YoY above 2.9% in Nov 2026?",
            KalshiRules("the year-over-year change in CPI-U for November 2026, as first released, is above 2.9%", Bls), Bls, cpiClose, cpi29, makerFees: true);
        Kalshi("KXCPIYOY-26NOV", "T3.0", "CPI YoY above 3.0% in Nov 2026?",
            KalshiRules("the year-over-year change in CPI-U for November 2026, as first released, is above 3.0%", Bls), Bls, cpiClose, cpi30, makerFees: true, decoy: true);
        PolymarketEvent("november-2026-us-annual-inflation", "November 2026 US annual inflation", "Economy");
        Polymarket("november-2026-us-annual-inflation", "Will US annual inflation be above 2.9% in November 2026?",
            PolymarketRules("the 12-month change in the all-items CPI for November 2026 published by the BLS is above 2.9%", "the BLS CPI release"), Bls, cpiClose, cpi29);
        Polymarket("november-2026-us-annual-inflation", "Will US annual core inflation be above 2.9% in November 2026?",
            PolymarketRules("the 12-month change in CPI less food and energy for November 2026 published by the BLS is above 2.9%", "the BLS CPI release"), Bls, cpiClose, core29, decoy: true);

        // 3. CPI month over month, November 2026.
        var cpiMom = Question("cpi-mom-2026-11-0.2", 0.58);
        KalshiEvent("KXCPI-26NOV", "CPI in Nov 2026", "Economics");
        Kalshi("KXCPI-26NOV", "T0.2", "CPI above 0.2% in Nov 2026?",
            KalshiRules("the month-over-month change in seasonally adjusted CPI-U for November 2026 is above 0.2%", Bls), Bls, cpiClose, cpiMom, makerFees: true);
        PolymarketEvent("november-2026-cpi-mom", "November 2026 CPI (MoM)", "Economy");
        Polymarket("november-2026-cpi-mom", "Will CPI rise more than 0.2% month-over-month in November 2026?",
            PolymarketRules("the seasonally adjusted CPI-U for November 2026 rises more than 0.2% from October", "the BLS CPI release"), Bls, cpiClose, cpiMom);

        // 4. Unemployment, November 2026: Polymarket asks the complement.
        var u3 = Question("u3-2026-11-4.5", 0.42);
        var u3Close = Utc(2026, 12, 4, 13, 30);
        KalshiEvent("KXU3-26NOV", "Unemployment rate in Nov 2026", "Economics");
        Kalshi("KXU3-26NOV", "T4.5", "Unemployment above 4.5% in Nov 2026?",
            KalshiRules("the U-3 unemployment rate for November 2026, as first released, is above 4.5%", Bls), Bls, u3Close, u3);
        PolymarketEvent("us-unemployment-november-2026", "US unemployment rate in November 2026", "Economy");
        Polymarket("us-unemployment-november-2026", "Will the US unemployment rate be 4.5% or lower in November 2026?",
            PolymarketRules("the unemployment rate for November 2026 in the BLS Employment Situation report is 4.5% or lower", "the BLS Employment Situation report"), Bls, u3Close, u3, negated: true);

        // 5. GDP, Q4 2026 advance estimate.
        var gdp = Question("gdp-2026-q4-2.0", 0.47);
        var gdpClose = Utc(2027, 1, 28, 13, 30);
        KalshiEvent("KXGDP-27JAN28", "GDP growth in Q4 2026", "Economics");
        Kalshi("KXGDP-27JAN28", "T2.0", "GDP growth above 2.0% in Q4 2026?",
            KalshiRules("the advance estimate of real GDP growth (SAAR) for Q4 2026 is above 2.0%", Bea), Bea, gdpClose, gdp);
        PolymarketEvent("us-gdp-growth-q4-2026", "US GDP growth in Q4 2026?", "Economy");
        Polymarket("us-gdp-growth-q4-2026", "Will US GDP growth in Q4 2026 be above 2.0%?",
            PolymarketRules("the BEA's advance estimate of annualized real GDP growth for Q4 2026 is above 2.0%", "the BEA advance estimate"), Bea, gdpClose, gdp);

        // 6. Bitcoin on December 31, with a "reach" decoy (touch at any time is a different contract).
        var btc100 = Question("btc-2026-12-31-100k", 0.57);
        var btcReach = Question("btc-reach-120k-2026", 0.21);
        var yearEnd = Utc(2026, 12, 31, 22, 0);
        KalshiEvent("KXBTCD-26DEC3117", "Bitcoin price on Dec 31, 2026 at 5pm EST", "Crypto");
        Kalshi("KXBTCD-26DEC3117", "T100000", "Bitcoin above $100,000 on Dec 31, 2026?",
            KalshiRules("the BRTI average for the 60 seconds before 5pm EST on Dec 31, 2026 is $100,000 or above", Brti), Brti, yearEnd, btc100);
        PolymarketEvent("bitcoin-above-on-december-31-2026", "Bitcoin above ___ on December 31, 2026?", "Crypto");
        Polymarket("bitcoin-above-on-december-31-2026", "Will Bitcoin be above $100,000 on December 31, 2026 at 5pm ET?",
            PolymarketRules("the CF Benchmarks BRTI for Bitcoin at 5:00 PM ET on December 31, 2026 is $100,000 or higher", Brti), Brti, yearEnd, btc100, cryptoFees: true);
        PolymarketEvent("what-price-will-bitcoin-hit-in-2026", "What price will Bitcoin hit in 2026?", "Crypto");
        Polymarket("what-price-will-bitcoin-hit-in-2026", "Will Bitcoin reach $120,000 by December 31, 2026?",
            PolymarketRules("any Binance BTC/USDT 1-minute candle between now and December 31, 2026 11:59 PM ET has a high of $120,000 or more", "Binance BTC/USDT"),
            "Binance BTC/USDT", yearEnd, btcReach, cryptoFees: true, decoy: true);

        // 7. Ether on December 31: Polymarket asks "below", Kalshi also lists a higher strike (decoy).
        var eth4000 = Question("eth-2026-12-31-4000", 0.48);
        var eth4500 = Question("eth-2026-12-31-4500", 0.27);
        KalshiEvent("KXETHD-26DEC3117", "Ethereum price on Dec 31, 2026 at 5pm EST", "Crypto");
        Kalshi("KXETHD-26DEC3117", "T4000", "Ethereum above $4,000 on Dec 31, 2026?",
            KalshiRules("the ETH RTI average for the 60 seconds before 5pm EST on Dec 31, 2026 is $4,000 or above", "CF Benchmarks Ether Real-Time Index"),
            "CF Benchmarks Ether Real-Time Index", yearEnd, eth4000);
        Kalshi("KXETHD-26DEC3117", "T4500", "Ethereum above $4,500 on Dec 31, 2026?",
            KalshiRules("the ETH RTI average for the 60 seconds before 5pm EST on Dec 31, 2026 is $4,500 or above", "CF Benchmarks Ether Real-Time Index"),
            "CF Benchmarks Ether Real-Time Index", yearEnd, eth4500, decoy: true);
        PolymarketEvent("ethereum-price-on-december-31-2026", "Ethereum price on December 31, 2026?", "Crypto");
        Polymarket("ethereum-price-on-december-31-2026", "Will Ethereum be below $4,000 on December 31, 2026 at 5pm ET?",
            PolymarketRules("the CF Benchmarks ETH RTI at 5:00 PM ET on December 31, 2026 is below $4,000", "CF Benchmarks Ether Real-Time Index"),
            "CF Benchmarks Ether Real-Time Index", yearEnd, eth4000, negated: true, cryptoFees: true);

        // 8. Bitcoin at the end of November, and a long-shot Solana strike on Polymarket's 0.001 grid.
        var btcNov = Question("btc-2026-11-30-90k", 0.71);
        var novEnd = Utc(2026, 11, 30, 22, 0);
        KalshiEvent("KXBTCD-26NOV3017", "Bitcoin price on Nov 30, 2026 at 5pm EST", "Crypto");
        Kalshi("KXBTCD-26NOV3017", "T90000", "Bitcoin above $90,000 on Nov 30, 2026?",
            KalshiRules("the BRTI average for the 60 seconds before 5pm EST on Nov 30, 2026 is $90,000 or above", Brti), Brti, novEnd, btcNov);
        PolymarketEvent("bitcoin-above-on-november-30-2026", "Bitcoin above ___ on November 30, 2026?", "Crypto");
        Polymarket("bitcoin-above-on-november-30-2026", "Will Bitcoin be above $90,000 on November 30, 2026 at 5pm ET?",
            PolymarketRules("the CF Benchmarks BRTI for Bitcoin at 5:00 PM ET on November 30, 2026 is $90,000 or higher", Brti), Brti, novEnd, btcNov, cryptoFees: true);

        var sol = Question("sol-2026-12-31-300", 0.06);
        KalshiEvent("KXSOLD-26DEC3117", "Solana price on Dec 31, 2026 at 5pm EST", "Crypto");
        Kalshi("KXSOLD-26DEC3117", "T300", "Solana above $300 on Dec 31, 2026?",
            KalshiRules("the SOL RTI average for the 60 seconds before 5pm EST on Dec 31, 2026 is $300 or above", "CF Benchmarks Solana Real-Time Index"),
            "CF Benchmarks Solana Real-Time Index", yearEnd, sol);
        PolymarketEvent("solana-above-on-december-31-2026", "Solana above ___ on December 31, 2026?", "Crypto");
        Polymarket("solana-above-on-december-31-2026", "Will Solana be above $300 on December 31, 2026 at 5pm ET?",
            PolymarketRules("the CF Benchmarks SOL RTI at 5:00 PM ET on December 31, 2026 is $300 or higher", "CF Benchmarks Solana Real-Time Index"),
            "CF Benchmarks Solana Real-Time Index", yearEnd, sol, fineTick: true, cryptoFees: true);

        // 9. MLS Cup 2026: four teams left, exclusive and exhaustive.
        var mls = Group("mls-cup-2026", ("Inter Miami", 0.31), ("LAFC", 0.27), ("Columbus Crew", 0.22), ("Seattle Sounders", 0.20));
        var mlsClose = Utc(2026, 12, 6, 3, 0);
        KalshiEvent("KXMLSCUP-26", "MLS Cup 2026 champion", "Sports", mutuallyExclusive: true);
        PolymarketEvent("mls-cup-2026-winner", "MLS Cup 2026 Winner", "Sports", negRisk: true);
        string[] mlsTicker = ["MIA", "LAFC", "CLB", "SEA"];
        for (var i = 0; i < 4; i++)
        {
            var team = _groups[^1].Labels[i];
            Kalshi("KXMLSCUP-26", mlsTicker[i], $"{team} win MLS Cup 2026?",
                KalshiRules($"{team} win the 2026 MLS Cup final", "Major League Soccer"), "Major League Soccer", mlsClose, mls + i, label: team);
            Polymarket("mls-cup-2026-winner", $"Will {team} win the 2026 MLS Cup?",
                PolymarketRules($"{team} win the 2026 MLS Cup", "official MLS information"), "Major League Soccer", mlsClose, mls + i, label: team);
        }

        // 10. Time Person of the Year 2026: Polymarket's event is augmented (an "Other" placeholder stands for names not
        // yet listed), so it must never be treated as exhaustive; Kalshi lists only the named candidates.
        var poty = Group("time-poty-2026", ("Donald Trump", 0.32), ("Pope Leo XIV", 0.14), ("Jensen Huang", 0.12), ("Elon Musk", 0.10),
            ("Sam Altman", 0.09), ("Other", 0.23));
        var potyClose = Utc(2026, 12, 8, 12, 0);
        KalshiEvent("KXTIMEPOY-26", "Time Person of the Year 2026", "Culture");
        PolymarketEvent("time-2026-person-of-the-year", "Time 2026 Person of the Year", "Culture", negRisk: true, augmented: true);
        string[] potyTicker = ["DTRU", "PLEO", "JHUA", "EMUS", "SALT"];
        for (var i = 0; i < 6; i++)
        {
            var name = _groups[^1].Labels[i];
            if (i < 5)
            {
                Kalshi("KXTIMEPOY-26", potyTicker[i], $"{name} named Time Person of the Year 2026?",
                    KalshiRules($"Time names {name} its 2026 Person of the Year", "Time magazine"), "Time magazine", potyClose, poty + i, label: name);
            }
            Polymarket("time-2026-person-of-the-year", i < 5 ? $"Will {name} be named Time's 2026 Person of the Year?" : "Will another person be named Time's 2026 Person of the Year?",
                PolymarketRules(i < 5 ? $"Time names {name} its 2026 Person of the Year" : "Time names anyone not listed in this event", "Time magazine"),
                "Time magazine", potyClose, poty + i, fineTick: i >= 3, label: name);
        }

        // 11. 2028 presidential election (party).
        var dem28 = Question("pres-2028-dem", 0.52);
        var presClose = Utc(2028, 11, 7, 23, 59);
        KalshiEvent("KXPRESPARTY-28", "2028 presidential election party winner", "Politics");
        Kalshi("KXPRESPARTY-28", "D", "Democratic party wins the 2028 presidency?",
            KalshiRules("the Democratic nominee wins the 2028 US presidential election, as certified by Congress", "US Congress certification"),
            "US Congress certification", presClose, dem28);
        PolymarketEvent("which-party-wins-2028-us-presidential-election", "Which party wins 2028 US Presidential Election?", "Politics");
        Polymarket("which-party-wins-2028-us-presidential-election", "Will a Democrat win the 2028 US presidential election?",
            PolymarketRules("the Democratic Party's nominee wins the 2028 US presidential election", "certification by Congress"),
            "US Congress certification", presClose, dem28);

        // 12. French presidential election 2027.
        var bardella = Question("fr-pres-2027-bardella", 0.36);
        var frClose = Utc(2027, 5, 9, 18, 0);
        KalshiEvent("KXFRPRES-27", "French presidential election 2027", "Politics");
        Kalshi("KXFRPRES-27", "JBAR", "Jordan Bardella wins French presidency 2027?",
            KalshiRules("Jordan Bardella wins the 2027 French presidential election per the Conseil constitutionnel", "Conseil constitutionnel"),
            "Conseil constitutionnel", frClose, bardella);
        PolymarketEvent("france-presidential-election-2027", "France Presidential Election 2027", "Politics");
        Polymarket("france-presidential-election-2027", "Will Jordan Bardella win the 2027 French presidential election?",
            PolymarketRules("Jordan Bardella wins the 2027 French presidential election", "the Conseil constitutionnel"),
            "Conseil constitutionnel", frClose, bardella);

        // 13. Chicago mayor 2027: Polymarket asks the complement, and lists a runoff market that only looks alike.
        var johnson = Question("chicago-mayor-2027-johnson", 0.23);
        var runoff = Question("chicago-mayor-2027-johnson-runoff", 0.55);
        var chiClose = Utc(2027, 4, 7, 3, 0);
        KalshiEvent("KXMAYORCHI-27", "Chicago mayoral election 2027", "Politics");
        Kalshi("KXMAYORCHI-27", "BJOH", "Brandon Johnson re-elected Chicago mayor?",
            KalshiRules("Brandon Johnson wins the 2027 Chicago mayoral election, including any runoff", "Chicago Board of Election Commissioners"),
            "Chicago Board of Election Commissioners", chiClose, johnson);
        PolymarketEvent("chicago-mayoral-election-2027", "Chicago Mayoral Election 2027", "Politics");
        Polymarket("chicago-mayoral-election-2027", "Will someone other than Brandon Johnson win the 2027 Chicago mayoral election?",
            PolymarketRules("anyone other than Brandon Johnson wins the 2027 Chicago mayoral election, including any runoff", "the Chicago Board of Election Commissioners"),
            "Chicago Board of Election Commissioners", chiClose, johnson, negated: true);
        Polymarket("chicago-mayoral-election-2027", "Will Brandon Johnson advance to the 2027 Chicago mayoral runoff?",
            PolymarketRules("Brandon Johnson finishes in the top two of the February 2027 first round and no candidate wins outright", "the Chicago Board of Election Commissioners"),
            "Chicago Board of Election Commissioners", Utc(2027, 2, 24, 6, 0), runoff, decoy: true);

        // 14. Government shutdown before February 2027: Polymarket asks whether it is avoided.
        var shutdown = Question("shutdown-2027-01-31", 0.29);
        var shutClose = Utc(2027, 2, 1, 4, 59);
        KalshiEvent("KXGOVSHUT-27JAN31", "Government shutdown by Jan 31, 2027", "Politics");
        Kalshi("KXGOVSHUT-27JAN31", "Y", "Government shutdown before Feb 2027?",
            KalshiRules("a lapse in US federal appropriations causes a shutdown beginning on or before Jan 31, 2027", "Office of Personnel Management"),
            "Office of Personnel Management", shutClose, shutdown);
        PolymarketEvent("us-government-shutdown-by-january-31-2027", "US government shutdown by January 31, 2027?", "Politics");
        Polymarket("us-government-shutdown-by-january-31-2027", "Will the US government avoid a shutdown through January 31, 2027?",
            PolymarketRules("no lapse in federal appropriations causes a shutdown beginning on or before January 31, 2027", "the Office of Personnel Management"),
            "Office of Personnel Management", shutClose, shutdown, negated: true);

        // 15. New York snow in December: same threshold, different station — a decoy, not a pair.
        var snowCp = Question("nyc-snow-2026-12-central-park", 0.38);
        var snowLga = Question("nyc-snow-2026-12-laguardia", 0.41);
        var decClose = Utc(2027, 1, 1, 5, 0);
        KalshiEvent("KXNYCSNOWM-26DEC", "NYC snowfall in Dec 2026", "Climate");
        Kalshi("KXNYCSNOWM-26DEC", "T2", "NYC snowfall above 2 inches in Dec 2026?",
            KalshiRules("total December 2026 snowfall at Central Park in the NWS climate report is above 2.0 inches", "NWS Central Park"),
            "NWS Central Park", decClose, snowCp);
        PolymarketEvent("nyc-snowfall-december-2026", "NYC snowfall in December 2026?", "Weather");
        Polymarket("nyc-snowfall-december-2026", "Will NYC get more than 2 inches of snow in December 2026?",
            PolymarketRules("total December 2026 snowfall recorded at LaGuardia Airport is more than 2.0 inches", "the NWS climate report for LaGuardia Airport (KLGA)"),
            "NWS LaGuardia Airport", decClose, snowLga, decoy: true);

        // 16. Miami Christmas-day high.
        var miami = Question("miami-high-2026-12-25-80", 0.44);
        var xmasClose = Utc(2026, 12, 26, 5, 0);
        KalshiEvent("KXHIGHMIA-26DEC25", "Highest temperature in Miami on Dec 25, 2026", "Climate");
        Kalshi("KXHIGHMIA-26DEC25", "T80", "Miami high above 80°F on Dec 25, 2026?",
            KalshiRules("the maximum temperature at Miami International Airport on Dec 25, 2026 in the NWS climate report is above 80°F", "NWS Miami International Airport"),
            "NWS Miami International Airport", xmasClose, miami);
        PolymarketEvent("highest-temperature-in-miami-on-december-25-2026", "Highest temperature in Miami on December 25?", "Weather");
        Polymarket("highest-temperature-in-miami-on-december-25-2026", "Will the highest temperature in Miami be above 80°F on December 25, 2026?",
            PolymarketRules("the highest temperature at Miami International Airport on December 25, 2026 is above 80°F", "the NWS climate report for Miami International Airport"),
            "NWS Miami International Airport", xmasClose, miami);

        // 17. GPT-6 release.
        var gpt6 = Question("gpt6-2027-03-31", 0.34);
        var gptClose = Utc(2027, 4, 1, 3, 59);
        KalshiEvent("KXGPT6-27MAR31", "GPT-6 released before Apr 2027", "Tech");
        Kalshi("KXGPT6-27MAR31", "Y", "GPT-6 released by Mar 31, 2027?",
            KalshiRules("OpenAI makes a model named GPT-6 generally available by Mar 31, 2027", "OpenAI"), "OpenAI", gptClose, gpt6);
        PolymarketEvent("gpt-6-released-by-march-31-2027", "GPT-6 released by March 31, 2027?", "Tech");
        Polymarket("gpt-6-released-by-march-31-2027", "Will OpenAI release GPT-6 by March 31, 2027?",
            PolymarketRules("OpenAI makes GPT-6 publicly available by March 31, 2027, 11:59 PM ET", "OpenAI's official announcements"), "OpenAI", gptClose, gpt6);

        // 18. Largest company at year end.
        var apple = Question("largest-company-2026-apple", 0.18);
        KalshiEvent("KXLARGESTCO-26DEC31", "Largest company on Dec 31, 2026", "Financials");
        Kalshi("KXLARGESTCO-26DEC31", "AAPL", "Apple largest company on Dec 31, 2026?",
            KalshiRules("Apple has the largest market capitalization at the close on Dec 31, 2026", "companiesmarketcap.com"),
            "companiesmarketcap.com", yearEnd, apple);
        PolymarketEvent("largest-company-end-of-2026", "Largest company end of 2026?", "Finance");
        Polymarket("largest-company-end-of-2026", "Will Apple be the largest company in the world by market cap at the end of 2026?",
            PolymarketRules("Apple has the largest market capitalization at market close on December 31, 2026", "companiesmarketcap.com"),
            "companiesmarketcap.com", yearEnd, apple);

        // 19. Tesla deliveries.
        var tesla = Question("tesla-deliveries-2026-q4-450k", 0.39);
        var teslaClose = Utc(2027, 1, 2, 23, 59);
        KalshiEvent("KXTSLADEL-26Q4", "Tesla deliveries in Q4 2026", "Companies");
        Kalshi("KXTSLADEL-26Q4", "T450000", "Tesla Q4 2026 deliveries above 450,000?",
            KalshiRules("Tesla reports more than 450,000 vehicle deliveries for Q4 2026", "Tesla investor relations"),
            "Tesla investor relations", teslaClose, tesla);
        PolymarketEvent("tesla-deliveries-q4-2026", "Tesla deliveries in Q4 2026?", "Business");
        Polymarket("tesla-deliveries-q4-2026", "Will Tesla deliver more than 450,000 vehicles in Q4 2026?",
            PolymarketRules("Tesla's Q4 2026 production and deliveries report shows more than 450,000 deliveries", "Tesla's investor relations website"),
            "Tesla investor relations", teslaClose, tesla);

        // 20. NFL: Polymarket asks whether the Chiefs miss the playoffs.
        var chiefs = Question("nfl-2026-chiefs-playoffs", 0.64);
        var nflClose = Utc(2027, 1, 11, 5, 0);
        KalshiEvent("KXNFLPLAYOFF-26", "NFL playoff teams 2026-27", "Sports");
        Kalshi("KXNFLPLAYOFF-26", "KC", "Chiefs make the 2026-27 NFL playoffs?",
            KalshiRules("the Kansas City Chiefs qualify for the 2026-27 NFL playoffs", "NFL"), "NFL", nflClose, chiefs);
        PolymarketEvent("nfl-playoffs-2026-27", "NFL Playoffs 2026-27: who makes it?", "Sports");
        Polymarket("nfl-playoffs-2026-27", "Will the Kansas City Chiefs miss the 2026-27 NFL playoffs?",
            PolymarketRules("the Kansas City Chiefs do not qualify for the 2026-27 NFL playoffs", "the NFL"), "NFL", nflClose, chiefs, negated: true);

        // 21. Super Bowl LXI and the Champions League: long shots on Polymarket's 0.001 grid.
        var eagles = Question("super-bowl-lxi-eagles", 0.11);
        var sbClose = Utc(2027, 2, 15, 4, 0);
        KalshiEvent("KXSB-27", "Super Bowl LXI champion", "Sports");
        Kalshi("KXSB-27", "PHI", "Eagles win Super Bowl LXI?", KalshiRules("the Philadelphia Eagles win Super Bowl LXI", "NFL"), "NFL", sbClose, eagles, label: "Philadelphia Eagles");
        PolymarketEvent("super-bowl-champion-2027", "Super Bowl Champion 2027", "Sports");
        Polymarket("super-bowl-champion-2027", "Will the Philadelphia Eagles win Super Bowl 2027?",
            PolymarketRules("the Philadelphia Eagles win Super Bowl LXI", "the NFL"), "NFL", sbClose, eagles, fineTick: true, label: "Philadelphia Eagles");

        var madrid = Question("ucl-2027-real-madrid", 0.14);
        var uclClose = Utc(2027, 5, 29, 22, 0);
        KalshiEvent("KXUCL-27", "Champions League 2026-27 winner", "Sports");
        Kalshi("KXUCL-27", "RMA", "Real Madrid win the 2026-27 Champions League?",
            KalshiRules("Real Madrid win the 2026-27 UEFA Champions League final", "UEFA"), "UEFA", uclClose, madrid, label: "Real Madrid");
        PolymarketEvent("uefa-champions-league-winner-2027", "UEFA Champions League Winner 2027", "Sports");
        Polymarket("uefa-champions-league-winner-2027", "Will Real Madrid win the 2026–27 UEFA Champions League?",
            PolymarketRules("Real Madrid win the 2026–27 UEFA Champions League", "UEFA"), "UEFA", uclClose, madrid, fineTick: true, label: "Real Madrid");

        // 22. S&P 500 at year end, and a Polymarket decoy on an earlier date.
        var spx = Question("spx-2026-12-31-7000", 0.53);
        var spxDec18 = Question("spx-2026-12-18-7000", 0.50);
        var spxClose = Utc(2026, 12, 31, 21, 0);
        KalshiEvent("KXINXY-26DEC31", "S&P 500 on Dec 31, 2026", "Financials");
        Kalshi("KXINXY-26DEC31", "T7000", "S&P 500 above 7,000 on Dec 31, 2026?",
            KalshiRules("the S&P 500 closes above 7,000.00 on Dec 31, 2026", "S&P Dow Jones Indices"), "S&P Dow Jones Indices", spxClose, spx);
        PolymarketEvent("sp-500-close-december-31-2026", "S&P 500 close on December 31, 2026?", "Finance");
        Polymarket("sp-500-close-december-31-2026", "Will the S&P 500 close above 7,000 on December 31, 2026?",
            PolymarketRules("the official S&P 500 close on December 31, 2026 is above 7,000.00", "S&P Dow Jones Indices"), "S&P Dow Jones Indices", spxClose, spx);
        PolymarketEvent("sp-500-close-december-18-2026", "S&P 500 close on December 18, 2026?", "Finance");
        Polymarket("sp-500-close-december-18-2026", "Will the S&P 500 close above 7,000 on December 18, 2026?",
            PolymarketRules("the official S&P 500 close on December 18, 2026 is above 7,000.00", "S&P Dow Jones Indices"),
            "S&P Dow Jones Indices", Utc(2026, 12, 18, 21, 0), spxDec18, decoy: true);
    }
}
