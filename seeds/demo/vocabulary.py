"""Word lists for the demo text.

Summaries and theses draw on the same sector phrases, so text similarity between a venture and an
investor means something. Tables are written as `key: item; item; ...`; an indented line continues
the entry above it.
"""

from __future__ import annotations


def _table(text: str) -> dict[str, tuple[str, ...]]:
    """Parse `key: a; b; c` lines (indented lines continue the previous entry)."""
    entries: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            entries[key] += " " + line.strip()
        else:
            key, _, rest = line.partition(":")
            entries[key.strip()] = rest.strip()
    return {k: _items(v) for k, v in entries.items()}


def _items(text: str) -> tuple[str, ...]:
    """Split a `;`-separated list that may wrap over several lines."""
    return tuple(item.strip() for item in " ".join(text.split()).split(";") if item.strip())


def _words(text: str) -> tuple[str, ...]:
    """Split a whitespace-separated list of single words."""
    return tuple(text.split())


# Phrases per sector code; a top-level sector's text also draws on its sub-sectors' phrases.
SECTOR_PHRASES = _table(
    """
advanced_manufacturing: advanced manufacturing; high-value manufacturing; industrial productivity
automotive_ev: electric vehicle powertrains; EV charging infrastructure; battery thermal
    management; lightweight vehicle structures; fleet electrification software
aerospace: aero-engine components; additive manufacturing for aerospace; aircraft maintenance
    analytics; sustainable aviation fuel; composite airframe parts
space: small satellite platforms; Earth observation analytics; satellite communications; space
    situational awareness; in-orbit servicing
batteries: battery cell chemistry; sodium-ion cells; battery recycling; battery management systems;
    solid-state electrolytes
robotics_automation: collaborative robots; warehouse automation; machine vision inspection; robotic
    welding; autonomous mobile robots
industrial_digital: digital twins for factories; predictive maintenance; industrial IoT sensors;
    manufacturing execution software; process optimisation
chemicals_materials: advanced materials; materials characterisation; process chemistry; functional
    coatings; low-carbon materials
speciality_chemicals: bio-based chemicals; green solvents; catalysis; speciality polymers; chemical
    recycling of plastics
composites: carbon-fibre composites; thermoplastic composites; lightweight structures; composite
    recycling; automated fibre placement
graphene_2d_materials: graphene-enhanced materials; 2D material membranes; graphene inks;
    conductive coatings; graphene sensors
agritech_foodtech: sustainable food production; farm data platforms; food supply chain
    traceability; crop and livestock health; food waste reduction
agritech: precision agriculture; crop monitoring drones; soil health analytics; livestock health
    sensors; vertical farming
food_tech: alternative proteins; fermentation-derived ingredients; food safety testing; shelf-life
    extension; plant-based foods
clean_energy: clean energy; net zero; decarbonisation
offshore_wind: offshore wind turbines; floating wind foundations; turbine blade inspection; subsea
    cable monitoring; wind farm operations and maintenance
hydrogen: green hydrogen electrolysers; hydrogen storage; fuel cells; hydrogen refuelling;
    low-carbon hydrogen production
nuclear: nuclear decommissioning; radiation detection; the nuclear supply chain; remote handling;
    nuclear materials
nuclear_fission: small modular reactors; advanced modular reactors; nuclear fuel; reactor component
    manufacturing; nuclear safety instrumentation
fusion: fusion energy; plasma diagnostics; high-temperature superconducting magnets; tritium
    handling; fusion materials
ccus: carbon capture; CO2 transport and storage; direct air capture; carbon utilisation; industrial
    decarbonisation
energy_networks: grid-scale energy storage; smart grid software; demand flexibility;
    vehicle-to-grid; power electronics for the grid
low_carbon_heat: heat pumps; district heating networks; thermal energy storage; building retrofit;
    geothermal heat
creative_industries: creative industries; creative technology; digital content
games: video games; multiplayer game engines; mobile games; game analytics; user-generated content
    platforms
immersive_tech: virtual reality; augmented reality; immersive experiences; spatial computing;
    virtual production
screen_media: film and TV production; post-production tools; streaming platforms; visual effects;
    content localisation
music_audio: music technology; spatial audio; rights management for musicians; live music
    ticketing; audio plugins
advertising_marketing: marketing analytics; programmatic advertising; creator economy tools; brand
    safety; customer engagement platforms
defence: defence; national security; the defence supply chain
dual_use_tech: dual-use sensing; secure communications; resilient navigation; advanced electronics;
    rugged edge computing
autonomous_systems: uncrewed aerial systems; autonomous underwater vehicles; swarm robotics;
    counter-drone systems; autonomy software
security_resilience: critical infrastructure protection; threat detection; emergency response
    technology; supply chain resilience; border security
digital_technologies: deep tech; digital technology; frontier technology
ai: machine learning; large language models; computer vision; AI assurance; data analytics
    platforms
cyber_security: cyber security; threat intelligence; identity and access management; operational
    technology security; secure software supply chains
quantum: quantum computing; quantum sensing; quantum-safe cryptography; quantum software; photonic
    quantum devices
semiconductors: compound semiconductors; power electronics chips; chip design; photonics;
    semiconductor packaging
advanced_connectivity: 5G private networks; open RAN; satellite-terrestrial connectivity; network
    automation; rural connectivity
engineering_biology: engineering biology; synthetic biology; biomanufacturing; enzyme engineering;
    bio-based materials
software_saas: B2B software; workflow automation; SaaS platforms; developer tools; data
    infrastructure
edtech: education technology; adaptive learning; skills and apprenticeship platforms; learning
    analytics; digital assessment
proptech: property technology; construction productivity; modern methods of construction; building
    performance monitoring; housing retrofit planning
financial_services: financial services; financial inclusion; capital markets
fintech: financial technology; embedded finance; credit scoring; SME lending platforms; personal
    finance apps
payments: payments; open banking; account-to-account payments; fraud prevention; merchant services
regtech: regulatory compliance; anti-money laundering; know-your-customer checks; regulatory
    reporting; risk analytics
insurtech: insurance technology; claims automation; usage-based insurance; underwriting analytics;
    parametric insurance
green_finance: green finance; ESG data; carbon accounting; climate risk analytics; impact
    measurement
life_sciences: life sciences; health innovation; patient outcomes
medtech: medical devices; surgical robotics; wearable health monitors; implantable devices; medical
    imaging
diagnostics: diagnostics; point-of-care testing; biomarker discovery; molecular diagnostics;
    AI-assisted pathology
digital_health: digital health; remote patient monitoring; clinical decision support; health data
    platforms; virtual wards
therapeutics: therapeutics; drug delivery; antimicrobials; vaccines; biologics
drug_discovery: drug discovery; AI-driven drug design; small-molecule medicines; target
    identification; preclinical models
advanced_therapies: cell and gene therapy; regenerative medicine; viral vector manufacturing; mRNA
    therapeutics; CAR-T therapies
preventative_health: preventative health; healthy ageing; population health analytics; mental
    health and wellbeing; musculoskeletal health
professional_business_services: professional services; business services; productivity tools
legal_tech: legal technology; contract automation; e-discovery; practice management; professional
    services automation
hr_tech: workforce technology; recruitment platforms; employee wellbeing; skills matching; payroll
    and HR software
engineering_services: engineering design services; simulation and modelling; product design
    consultancy; testing and certification; technical due diligence
"""
)

# Who buys, per growth sector.
CUSTOMERS = _table(
    """
advanced_manufacturing: manufacturers; automotive suppliers; aerospace primes; process industries;
    food producers
clean_energy: energy developers; grid operators; industrial clusters; housing associations;
    offshore operators
creative_industries: studios; broadcasters; brands; players; artists
defence: defence primes; the armed forces; security agencies; critical national infrastructure
    operators
digital_technologies: enterprises; chip makers; research labs; SMEs; councils
financial_services: banks; insurers; lenders; small businesses; consumers
life_sciences: the NHS; clinicians; pharmaceutical companies; patients; care providers
professional_business_services: law firms; accountants; HR teams; engineering firms; consultancies
"""
)

# The last word of a company name, per growth sector.
NAME_SUFFIXES = _table(
    """
advanced_manufacturing: Robotics; Materials; Engineering; Manufacturing; Works
clean_energy: Energy; Power; Renewables; Grid; Thermal
creative_industries: Studios; Games; Media; Interactive; Sound
defence: Defence; Systems; Dynamics; Sentinel; Secure
digital_technologies: AI; Labs; Technologies; Systems; Quantum; Data
financial_services: Pay; Finance; Ledger; Money; Cover
life_sciences: Bio; Therapeutics; Diagnostics; Health; Medical
professional_business_services: Legal; Works; Consulting; HR; Design
"""
)

# The last words of a fictional firm's name, per investor type (angels use their own name).
FIRM_SUFFIXES = _table(
    """
angel_network: Angels; Angel Syndicate; Investor Network
vc: Ventures; Capital; Venture Partners
corporate_vc: Corporate Ventures; Ventures; Innovation Fund
university_fund: University Enterprise Fund; Spinout Fund; Research Ventures
pension_fund: Pension Growth Fund; Local Pensions Innovation Fund; Patient Capital
public_fund: Investment Fund; Regional Growth Fund; Innovation Loans
grant_body: Innovation Grants; Research Trust; Foundation
family_office: Family Office; Family Investments; Holdings
accelerator: Accelerator; Launchpad; Foundry
"""
)

# What a venture says about its progress, per stage.
TRACTION = _table(
    """
proof_of_concept: We are testing the science in the lab with proof-of-concept funding.; Early lab
    results are promising and we are preparing a first demonstrator.
pre_seed: We have a working prototype and are talking to our first pilot customers.; Two design
    partners are helping us shape the first product.
seed: Paying pilot customers are using the product and we are building the team.; We have early
    revenue and a pipeline of customers waiting for pilots.
series_a: Revenue is growing quickly and customers are renewing.; We are scaling sales after
    proving repeatable demand across the UK.
series_b: We are expanding internationally and scaling production.; Growth is strong and we are
    opening new markets in Europe and North America.
growth: The business is profitable per unit and expanding into new markets.; We lead our niche in
    the UK and are funding the next phase of growth.
"""
)

# Syllables for invented company names ("Belionora Bio").
NAME_ONSETS = _words(
    """
    Ar Bel Cor Dun El Fen Gal Hal Iv Jor Kel Lum Mar Nor Or Pel Quil Ros Sol Tal Ul Ver Wil Zel Brae
    Cal
    """
)

NAME_MIDDLES = ("", "", "", "a", "e", "i", "o", "an", "er", "is")
NAME_CODAS = _words(
    """
    ana ex ion ora ium ent ix yn ova eth ara is on ia or us
    """
)

# Northern landscape words for fictional firm names ("Kestrelford Ventures").
FIRM_FIRST = _words(
    """
    Bracken Heather Kestrel Curlew Beck Fell Tarn Scar Moss Clough Gill Crag Holme Wold Carr Ings
    Thwaite Lapwing Merlin Rowan Alder Birch Heron Otter Plover Wren Linnet Hazel
    """
)
FIRM_SECOND = _words(
    """
    field side gate ford wick ley ton by thorpe well stone bridge mouth head brook mere dale moor
    """
)
FIRM_MIDDLE = _words(
    """
    Northern Rose Iron Harbour Summit Lantern Beacon Ridge Meridian Keel
    """
)

# Fictional people are random pairs of common UK names.
FIRST_NAMES = _words(
    """
    Aisha Alex Amara Amir Ben Bethany Callum Chloe Daniel Deepa Eleanor Ethan Fatima Freya George
    Grace Hannah Harry Imran Isla Jack Jasmine Kai Kate Liam Lucy Maya Mohammed Nadia Noah Olivia
    Omar Priya Rachel Rhys Rosie Ruth Sam Sana Sophie Tariq Tom Yusuf Zara Ifeoma Chen Wei Ana
    Tomasz Niamh
    """
)
LAST_NAMES = _words(
    """
    Ahmed Akhtar Atkinson Bell Brown Butt Carr Chapman Clarke Dixon Edwards Fletcher Foster Gill
    Graham Hall Harrison Hill Hussain Iqbal Jackson Kaur Khan Lee Lister Marsden Milburn Moore
    Murphy Nowak Okafor Parkinson Patel Pickering Robson Shah Singh Smith Stephenson Sutcliffe
    Taylor Thompson Walker Wang Whitaker Wilson Wood Wright Yeung Zhang
    """
)

# What a venture's product is for, per growth sector.
BENEFITS = _table(
    """
advanced_manufacturing: cut costs; raise productivity; reduce waste; improve quality
clean_energy: reduce emissions; cut energy costs; speed up the energy transition; make the grid
    more resilient
creative_industries: reach new audiences; cut production costs; make content more engaging; open
    new revenue streams
defence: improve safety; protect critical systems; speed up decisions in the field; make supply
    chains more resilient
digital_technologies: speed up decisions; cut costs; make systems more secure; unlock new products
financial_services: cut fraud; widen access to finance; speed up decisions; reduce compliance costs
life_sciences: improve patient outcomes; diagnose disease earlier; reduce pressure on the NHS;
    speed up clinical trials
professional_business_services: save professionals time; cut costs; reduce risk; improve
    productivity
"""
)
# What a venture makes.
OFFERINGS = _items("a platform; a device; software; a service; a sensor system; a process")

# The opening sentence of a thesis, per investor type.
TYPE_INTROS = _table(
    """
angel: An experienced operator investing personally, with time to mentor founders.
angel_network: A syndicate of angel investors who invest together and share diligence.
vc: An early-stage venture capital fund that leads and follows rounds.
corporate_vc: The venture arm of an industrial group, backing strategic technology.
university_fund: A university-linked fund that commercialises research from its partners.
pension_fund: A fund backed by local government pension schemes, investing patiently.
public_fund: A publicly backed fund set up to close the early-stage finance gap.
grant_body: A grant-giving body funding innovation projects that others find too early.
family_office: A family office taking minority stakes in ambitious private companies.
accelerator: An accelerator running cohorts with investment, mentoring and workspace.
"""
)
