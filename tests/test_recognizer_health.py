"""Health data (HEALTH): lexicon terms, context rules, negatives, and recall over sentences.

Print the figures with:

    /work/venv/bin/python tests/test_recognizer_health.py

Sentence sets measure recall (a term counts as found when a HEALTH span overlaps it):
- TUNING_ROUND_1 and TUNING_ROUND_2 were written as held-out sets and measured once before the
  lexicons saw them (87.9 % and 79.2 % of terms found); their misses were then added, so they
  are now tuning data and only guard against regressions.
- HELD_OUT was written after the English and French lexicons were tuned and was never used to
  tune them: its misses (e.g. "ruptured appendix", "sclérodermie", "pubalgie", "malvoyante") are
  left in on purpose. HELD_OUT_DE_IT does the same for the German and Italian lexicons.
"""

from __future__ import annotations

import random

import pytest

from privacy_guard.detect.recognizers.health import HealthRecognizer, _lexicon
from privacy_guard.detect.types import Span

RECOGNIZER = HealthRecognizer()


def find(text: str, language: str = "en") -> list[Span]:
    return list(RECOGNIZER.find(text, language))


def found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find(text)]


EXACT = [
    # English: conditions, treatments, medications
    (
        "She was diagnosed with type 2 diabetes and takes metformin.",
        ["type 2 diabetes", "metformin"],
    ),
    ("He is HIV positive and on Truvada.", ["HIV positive", "Truvada"]),
    (
        "My sister has bipolar disorder and schizophrenia runs in the family.",
        ["bipolar disorder", "schizophrenia"],
    ),
    (
        "He started chemotherapy for pancreatic cancer in May.",
        ["chemotherapy", "pancreatic cancer"],
    ),
    ("Dialysis three times a week since the kidney failure.", ["Dialysis", "kidney failure"]),
    ("Our colleague has multiple sclerosis and uses Ocrevus.", ["multiple sclerosis", "Ocrevus"]),
    ("My son has ADHD and autism; he takes Ritalin.", ["ADHD", "autism", "Ritalin"]),
    ("She had an abortion in 2019.", ["abortion"]),
    ("Asthma and epilepsy are both listed in his file.", ["Asthma", "epilepsy"]),
    (
        "Crohn's disease, hepatitis C and Alzheimer's.",
        ["Crohn's disease", "hepatitis C", "Alzheimer's"],
    ),
    ("She is on PrEP.", ["PrEP"]),
    ("The patient has AIDS.", ["AIDS"]),
    (
        "He takes Humira and methotrexate for rheumatoid arthritis.",
        ["Humira", "methotrexate", "rheumatoid arthritis"],
    ),
    ("Antidepressants like sertraline or Prozac.", ["Antidepressants", "sertraline", "Prozac"]),
    ("He had a prostatectomy last year.", ["prostatectomy"]),
    # French
    (
        "Elle est atteinte d'un cancer du sein et suit une chimiothérapie.",
        ["cancer du sein", "chimiothérapie"],
    ),
    ("Il est séropositif au VIH et sous trithérapie.", ["séropositif", "VIH", "trithérapie"]),
    (
        "Mon père a un diabète de type 2 et prend de la metformine.",
        ["diabète de type 2", "metformine"],
    ),
    ("Elle souffre de schizophrénie.", ["schizophrénie"]),
    ("Il a une sclérose en plaques.", ["sclérose en plaques"]),
    ("Elle prend du Lévothyrox depuis son opération.", ["Lévothyrox", "opération"]),
    ("Elle a eu recours à une IVG.", ["IVG"]),
    ("Il est sous antidépresseurs.", ["antidépresseurs"]),
    ("Il a un trouble bipolaire.", ["trouble bipolaire"]),
    ("Le sida et la maladie d'Alzheimer.", ["sida", "maladie d'Alzheimer"]),
    ("Elle a subi une cholécystectomie.", ["cholécystectomie"]),
    # accents left out, hyphens or not, plurals
    ("il a du diabete et une sclerose en plaques", ["diabete", "sclerose en plaques"]),
    (
        "post-traumatic stress disorder, post traumatic stress disorder",
        ["post-traumatic stress disorder", "post traumatic stress disorder"],
    ),
    ("She tried several antipsychotics.", ["antipsychotics"]),
    ("Crohns and coeliac disease", ["Crohns", "coeliac disease"]),
    ("la maladie cœliaque, la maladie coeliaque", ["maladie cœliaque", "maladie coeliaque"]),
    ("Il a fait un AVC.", ["AVC"]),
    ("Je suis enceinte de trois mois.", ["suis enceinte"]),
    # ambiguous terms with health context
    ("He was diagnosed with depression last year.", ["depression"]),
    ("She is taking lithium.", ["lithium"]),
    ("Elle prend du lithium.", ["lithium"]),
    ("Il souffre d'une dépression.", ["dépression"]),
    ("Elle a fait une dépression l'an dernier.", ["dépression"]),
    ("The patient had a stroke.", ["stroke"]),
    ("His doctor found a cancer in the liver.", ["cancer"]),
    ("He was hospitalized with a virus.", ["virus"]),
    ("My surgery is scheduled at the hospital.", ["surgery"]),
    ("Depression and diabetes often come together.", ["Depression", "diabetes"]),
]


@pytest.mark.parametrize(("text", "expected"), EXACT)
def test_exact_spans(text: str, expected: list[str]) -> None:
    assert found(text) == expected


def test_scores_and_priority() -> None:
    sure = find("She takes metformin.")
    assert [(s.entity_type, s.score, s.priority) for s in sure] == [("HEALTH", 0.85, 5)]
    in_context = find("He was diagnosed with depression.")
    assert [(s.score, s.priority) for s in in_context] == [(0.7, 5)]


def test_offsets_are_exact_on_accented_text() -> None:
    text = "Résumé : Lévothyrox, diabète, schizophrénie."
    assert [(s.start, s.end) for s in find(text)] == [(9, 19), (21, 28), (30, 43)]


def test_longest_entry_wins() -> None:
    assert found("type 2 diabetes") == ["type 2 diabetes"]
    assert found("un cancer du sein") == ["cancer du sein"]
    assert found("lung cancer") == ["lung cancer"]


def test_case_sensitive_entries() -> None:
    assert found("She has AIDS.") == ["AIDS"]
    assert found("Hearing aids and visual aids.") == ["Hearing aids"]  # the device, not AIDS
    assert found("meal prep on Sunday") == []
    assert found("She is on PrEP.") == ["PrEP"]
    assert found("ALS patients") == ["ALS"]
    assert found("als ich kam") == []


def test_ambiguous_terms_need_context() -> None:
    for text in ("depression", "a virus", "lithium", "a stroke", "cancer", "the operation"):
        assert found(text) == [], text


def test_intake_verbs_count_only_for_medications() -> None:
    assert found("He takes aspirin daily.") == ["aspirin"]
    assert found("We take operations seriously.") == []
    assert found("Il prend du Doliprane.") == ["Doliprane"]


def test_runs_on_every_language() -> None:
    for language in ("en", "fr", "de", "it", "other"):
        assert len(find("diabète and diabetes, Zuckerkrankheit e diabete", language)) == 4


def test_lexicons_are_loaded_once_and_are_large() -> None:
    assert _lexicon() is _lexicon()
    entries = _lexicon().entries
    assert len(entries) > 3000
    assert sum(not t.needs_context for t in entries.values()) > 2500
    for term in ("sertraline", "sertraline", "sertralin", "sertralina"):  # en, fr, de, it
        assert term in entries


NEGATIVES = [
    "the economic depression of 1929",
    "The Great Depression reshaped banking.",
    "A tropical depression is forming off the coast.",
    "a computer virus infected the build server",
    "Run a virus scan on every laptop.",
    "Order a lithium-ion battery pack.",
    "Lithium prices rose 20% this quarter.",
    "cancer zodiac sign",
    "Born in July, she's a Cancer.",
    "the operation completed successfully",
    "a surgical fix to the codebase",
    "cold start latency",
    "the health check endpoint returns 200",
    "GET /healthz",
    "The patient_id column is indexed.",
    "Product spec: patients can book appointments online.",
    "The stroke width of the SVG icon is 2px.",
    "What a stroke of genius!",
    "We need to treat this as a crash, not a hang.",
    "Zero trauma migration plan.",
    "We take operations seriously.",
    "The feature flag is disabled in production.",
    "Parkinson's law says work expands to fill the time.",
    "We need a plan B for the launch.",
    "std::vector<int> and the STD file format",
    "Our SLA is 99.9% uptime.",
    "TOC: 1. Introduction 2. Pricing",
    "Visual aids help in presentations.",
    "Meal prep on Sunday saves time.",
    "The MS Teams call starts at 10.",
    "Use the codec AVC/H.264 for the stream.",
    "is_pregnant is a boolean column",
    "Hospital IT: the virus scanner flagged the build.",
    "La dépression économique de 1929.",
    "Un virus informatique a infecté le serveur.",
    "Une batterie au lithium-ion.",
    "L'opération s'est terminée avec succès.",
    "Une enceinte Bluetooth dans le salon.",
    "Une goutte d'eau dans l'océan.",
    "Le traitement des données personnelles est encadré par le RGPD.",
    "Né en juillet, il est du signe du Cancer.",
    "Opération commerciale du printemps : -20 %.",
    "Le scanner de vulnérabilités a trouvé 3 failles.",
    "Ce n'est qu'une opération de maintenance.",
    "Notre SLA garantit 99,9 % de disponibilité.",
    "Il a atteint de nouveaux sommets en bourse.",
    "Le cours a atteint son objectif, c'est une opération réussie.",
    "Ein Fehler, als ich den Server neu startete.",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative(text: str) -> None:
    assert found(text) == []


# German and Italian (Swiss prompts): the first sentences of each list are the development set's
# misses that the German and Italian lexicons were written for, so they are tuning data.
EXACT_DE_IT = [
    ("Bei mir wurde Burnout diagnostiziert, was darf ich essen?", ["Burnout"]),
    ("Bei mir wurde Depression diagnostiziert.", ["Depression"]),
    ("Meine Mutter ist in Chemotherapie, wie kann ich sie unterstützen?", ["Chemotherapie"]),
    ("Meine Mutter ist in Psychotherapie.", ["Psychotherapie"]),
    ("Ich nehme Sertralin und bin oft müde, ist das normal?", ["Sertralin"]),
    ("Ich nehme Lithium und bin oft müde.", ["Lithium"]),
    ("Mi hanno diagnosticato depressione, cosa posso mangiare?", ["depressione"]),
    (
        "Paziente affetto da tumore al seno, in terapia con sertralina.",
        ["tumore al seno", "sertralina"],
    ),
    ("Prendo insulina ogni mattina, posso bere un bicchiere di vino?", ["insulina"]),
    ("Prendo litio ogni mattina.", ["litio"]),
    ("Prendo metformina ogni mattina.", ["metformina"]),
    ("Mia madre è in dialisi, come posso aiutarla?", ["dialisi"]),
    ("Mia madre è in chemioterapia.", ["chemioterapia"]),
    ("Mia madre è in psicoterapia.", ["psicoterapia"]),
    ("Paziente affetta da sclerosi multipla.", ["sclerosi multipla"]),
    ("Paziente affetto da epilessia, in terapia con sertralina.", ["epilessia", "sertralina"]),
    ("Affetto da morbo di Crohn.", ["morbo di Crohn"]),
    # German: conditions, compounds, umlauts and "ß"
    (
        "Er hatte eine Lungenentzündung und hat eine Schilddrüsenunterfunktion.",
        ["Lungenentzündung", "Schilddrüsenunterfunktion"],
    ),
    ("Sie hat Typ-2-Diabetes und spritzt Insulin.", ["Typ-2-Diabetes", "Insulin"]),
    ("Mein Vater ist an Brustkrebs erkrankt.", ["Brustkrebs"]),
    ("Er leidet an Depressionen und nimmt Cipralex.", ["Depressionen", "Cipralex"]),
    ("Meine Schwester ist HIV-positiv.", ["HIV-positiv"]),
    ("Sie ist schwanger und hatte eine Fehlgeburt.", ["schwanger", "Fehlgeburt"]),
    ("Er war in der Suchtklinik wegen Alkoholsucht.", ["Suchtklinik", "Alkoholsucht"]),
    ("Nach dem Entzug geht es ihm besser, sagt der Arzt.", ["Entzug"]),
    ("Sie hat eine Nierenerkrankung und geht zur Dialyse.", ["Nierenerkrankung", "Dialyse"]),
    ("Er hat Multiple Sklerose und ADHS.", ["Multiple Sklerose", "ADHS"]),
    ("Sie nimmt Eltroxin, er Dafalgan gegen die Schmerzen.", ["Eltroxin", "Dafalgan"]),
    (
        "Er hat eine Gastrektomie und eine Rhinoplastik hinter sich.",
        ["Gastrektomie", "Rhinoplastik"],
    ),
    ("Wegen einer Gefäßverengung war er im Spital.", ["Gefäßverengung"]),
    ("Wegen einer Gefässverengung war er im Spital.", ["Gefässverengung"]),
    ("Seine Schilddruesenunterfunktion ist bekannt.", ["Schilddruesenunterfunktion"]),
    # Italian: conditions, treatments, gender and number
    ("Mio fratello è sieropositivo, sua moglie sieropositiva.", ["sieropositivo", "sieropositiva"]),
    ("Sono incinta di tre mesi.", ["incinta"]),
    ("Sono diabetica e celiaca.", ["diabetica", "celiaca"]),
    ("Ha fatto un trapianto di rene l'anno scorso.", ["trapianto di rene"]),
    ("È in una clinica di disintossicazione.", ["clinica di disintossicazione"]),
    (
        "Soffre di attacchi di panico, il medico gli ha dato lo Xanax.",
        ["attacchi di panico", "Xanax"],
    ),
    ("Prendo la Tachipirina quando ho la febbre.", ["Tachipirina"]),
    ("Ha subito una mastectomia e una rinoplastica.", ["mastectomia", "rinoplastica"]),
    ("Ha avuto un infarto ed è in terapia con cardioaspirina.", ["infarto", "cardioaspirina"]),
    # additions to the English and French lexicons
    ("Back after my alcohol rehab in three weeks.", ["alcohol rehab"]),
    ("She had a gastric sleeve in May.", ["gastric sleeve"]),
    (
        "Opération prévue (sleeve gastrique), rédige ma demande.",
        ["Opération", "sleeve gastrique"],  # the sleeve makes the operation a medical one
    ),
    ("J'ai fait une sleeve l'an dernier.", ["sleeve"]),
    ("Diagnostic posé le mois dernier : dépression.", ["dépression"]),
]


@pytest.mark.parametrize(("text", "expected"), EXACT_DE_IT)
def test_exact_spans_german_italian(text: str, expected: list[str]) -> None:
    assert found(text) == expected


NEGATIVES_DE_IT = [
    "Die Operation war erfolgreich abgeschlossen, das Deployment läuft wieder.",
    "Wir haben einen Virus im Computer gefunden.",
    "Der Lithium-Ionen-Akku des Laptops ist aufgebläht.",
    "Die große Depression der 1930er Jahre veränderte die Wirtschaft.",
    "Die grosse Depression der 1930er Jahre veränderte die Wirtschaft.",
    "Er sucht nach einer Lösung für das Problem mit der Datenbank.",
    "Im Bach leben viele Flusskrebse und ein Flusskrebs.",
    "Der Entzug der Lizenz kommt überraschend.",
    "Das ist ein Eingriff in die Privatsphäre der Nutzer.",
    "Die Schocktherapie für die Wirtschaft war umstritten.",
    "Die Selbstentzündung des Heus ist gefährlich.",
    "Die Diagnose des Fehlers dauerte Stunden.",
    "Ich nehme den Zug um acht Uhr nach Bern.",
    "Die Behinderung des Verkehrs dauerte zwei Stunden.",
    "Der Server ist abgestürzt, der Anfall von Anfragen war zu hoch.",
    "Un virus informatico ha bloccato tutti i computer dell'ufficio.",
    "La depressione economica del 1929 colpì anche l'Italia.",
    "La batteria al litio del telefono si scarica in fretta.",
    "Le batterie agli ioni di litio sono riciclabili.",
    "L'operazione è stata completata con successo.",
    "Nato a luglio, è del segno del Cancro.",
    "L'influenza della politica sull'economia è evidente.",
    "Aggiorna le dipendenze di npm e la gestione delle dipendenze.",
    "Prendo il treno delle otto per Lugano.",
    "La richiesta è invalida: manca il campo email.",
    "Il trittico di Bosch è esposto al museo.",
    "La terapia d'urto per i conti pubblici è stata approvata.",
    "I gotta say, this merge request looks good.",
    "Roll up your sleeves and fix the build.",
    "Date: TBC, venue: TBC.",
    "Les patients sont sortis de l'hôpital hier.",
]


@pytest.mark.parametrize("text", NEGATIVES_DE_IT)
def test_negative_german_italian(text: str) -> None:
    assert found(text) == []


def test_german_spellings_keep_exact_offsets() -> None:
    # "ß" folds to one character, so offsets after it do not move; "ss" and "ue" are lexicon
    # spellings, not text rewrites.
    text = "Straße: Gefäßverengung, Lungenentzündung; Gefässverengung; Lungenentzuendung."
    spans = [(s.start, s.end) for s in find(text)]
    assert [text[a:b] for a, b in spans] == [
        "Gefäßverengung",
        "Lungenentzündung",
        "Gefässverengung",
        "Lungenentzuendung",
    ]
    assert spans[0] == (8, 22)
    upper = "GEFÄẞVERENGUNG"
    assert [(s.start, s.end) for s in find(upper)] == [(0, len(upper))]


def test_german_compounds_by_ending() -> None:
    assert found("Er hat eine Leberentzündung und eine Autoimmunerkrankung.") == [
        "Leberentzündung",
        "Autoimmunerkrankung",
    ]
    assert found("Ein Lebertumor, eine Schilddrüsenektomie.") == [
        "Lebertumor",
        "Schilddrüsenektomie",
    ]
    # "-krebs" and "-therapie" need context: a crayfish, a couples' session
    assert found("Der Flusskrebs lebt im Bach.") == []
    assert found("Die Paartherapie war teuer.") == []
    assert found("Der Arzt diagnostizierte Kehlkopfkrebs.") == ["Kehlkopfkrebs"]


def test_german_italian_ambiguous_terms_need_context() -> None:
    for text in ("Depression", "Lithium", "Krebs", "depressione", "litio", "cancro", "Sucht"):
        assert found(text) == [], text
    assert found("Er nimmt Lithium.") == ["Lithium"]
    assert found("Il medico dice che è un cancro.") == ["cancro"]
    assert found("Sie leidet an Krebs.") == ["Krebs"]


def test_large_junk_input_completes() -> None:
    rng = random.Random(3)
    words = [
        "depression",
        "virus",
        "diabète",
        "cancer",
        "patient",
        "lithium",
        "de",
        "the",
        "operation",
        "-",
        "'s",
        "ectomy",
        "itis",
        "AIDS",
        "computer",
    ]
    alphabet = "abcdefghijklmnopqrstuvwxyzéèàç_-' 0123456789"
    chunks: list[str] = []
    size = 0
    while size < 1_000_000:
        word = (
            rng.choice(words)
            if rng.random() < 0.3
            else "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        )
        chunks.append(word)
        size += len(word) + 1
    list(RECOGNIZER.find(" ".join(chunks), "en"))  # must simply finish


TUNING_ROUND_1 = [
    (
        "My colleague has been off work since March with sick leave for a herniated disc.",
        ["herniated disc"],
    ),
    (
        "Patient is a 54-year-old male with a history of hypertension and hyperlipidemia.",
        ["hypertension", "hyperlipidemia"],
    ),
    ("She's been on Zoloft for two years and recently switched to Lexapro.", ["Zoloft", "Lexapro"]),
    ("He was admitted for an acute asthma exacerbation.", ["asthma"]),
    ("Our intern disclosed she has type 1 diabetes and wears a CGM.", ["type 1 diabetes"]),
    ("The employee requested accommodation for his dyscalculia.", ["dyscalculia"]),
    ("Mom was diagnosed with early-onset Alzheimer's last spring.", ["Alzheimer's"]),
    ("I need to write a leave request: I'm having a hysterectomy in June.", ["hysterectomy"]),
    ("My son has celiac disease so the menu must be gluten-free.", ["celiac disease"]),
    (
        "John is HIV-positive and on antiretroviral therapy.",
        ["HIV-positive", "antiretroviral therapy"],
    ),
    (
        "She's recovering from a mastectomy after her breast cancer diagnosis.",
        ["mastectomy", "breast cancer"],
    ),
    ("Our CFO had a minor stroke and is recovering in hospital.", ["stroke"]),
    ("He takes Eliquis for atrial fibrillation.", ["Eliquis", "atrial fibrillation"]),
    (
        "The customer mentioned she is undergoing chemo for ovarian cancer.",
        ["chemo", "ovarian cancer"],
    ),
    ("I've been struggling with panic attacks since the accident.", ["panic attacks"]),
    ("He has sickle cell anemia and misses work during crises.", ["sickle cell anemia"]),
    ("My daughter was diagnosed with scoliosis.", ["scoliosis"]),
    ("The candidate is in recovery from opioid use disorder.", ["opioid use disorder"]),
    ("Write an email to HR explaining my gastroenteritis.", ["gastroenteritis"]),
    ("She had a miscarriage last month and needs time off.", ["miscarriage"]),
    ("He is prescribed Adderall for his ADHD.", ["Adderall", "ADHD"]),
    ("The tenant uses a wheelchair due to multiple sclerosis.", ["multiple sclerosis"]),
    ("Patient presents with shortness of breath, likely pneumonia.", ["pneumonia"]),
    ("Can you summarize the side effects of my Humira injections?", ["Humira"]),
    (
        "I was diagnosed with hypothyroidism and take Synthroid daily.",
        ["hypothyroidism", "Synthroid"],
    ),
    ("My brother has Down syndrome.", ["Down syndrome"]),
    ("She's on dialysis three times a week for kidney failure.", ["dialysis", "kidney failure"]),
    ("He suffers from chronic back pain and sciatica.", ["sciatica"]),
    ("I was diagnosed with PCOS and insulin resistance.", ["PCOS", "insulin resistance"]),
    ("My GP referred me for a colonoscopy after blood in stool.", ["colonoscopy"]),
    ("He had bariatric surgery and lost 40 kg.", ["bariatric surgery"]),
    ("The athlete tore his ACL and needs reconstruction surgery.", ["ACL"]),
    ("She has tested positive for COVID-19 and is isolating.", ["COVID-19"]),
    ("Our team lead is going through IVF treatment.", ["IVF"]),
    ("He's in remission from Hodgkin lymphoma.", ["Hodgkin lymphoma"]),
    ("Mon collègue est en arrêt maladie pour une hernie discale.", ["hernie discale"]),
    (
        "Patiente de 62 ans, antécédents d'hypertension et de diabète de type 2.",
        ["hypertension", "diabète de type 2"],
    ),
    ("Elle prend du Seroplex depuis six mois.", ["Seroplex"]),
    ("Il a été hospitalisé pour une pneumopathie.", ["pneumopathie"]),
    ("Ma fille est atteinte de mucoviscidose.", ["mucoviscidose"]),
    ("Le salarié nous a informés de sa sclérose en plaques.", ["sclérose en plaques"]),
    ("Mon père a la maladie de Parkinson.", ["maladie de Parkinson"]),
    ("Elle suit une chimiothérapie pour un cancer du sein.", ["chimiothérapie", "cancer du sein"]),
    (
        "Il souffre de troubles bipolaires et prend du Téralithe.",
        ["troubles bipolaires", "Téralithe"],
    ),
    ("Je dois rédiger un mail : je suis enceinte de trois mois.", ["enceinte"]),
    ("Mon fils est autiste et suivi par un pédopsychiatre.", ["autiste"]),
    ("Elle a fait une fausse couche le mois dernier.", ["fausse couche"]),
    ("Il a eu un infarctus en janvier.", ["infarctus"]),
    ("Le candidat a mentionné son TDAH lors de l'entretien.", ["TDAH"]),
    ("Je suis sous Lévothyrox depuis mon opération de la thyroïde.", ["Lévothyrox"]),
    ("Ma mère souffre d'arthrose du genou.", ["arthrose"]),
    ("Il est séropositif et sous trithérapie.", ["séropositif", "trithérapie"]),
    ("Elle a une endométriose sévère.", ["endométriose"]),
    ("Mon médecin m'a prescrit de la ventoline pour mon asthme.", ["ventoline", "asthme"]),
    ("L'employé est en cure de désintoxication pour alcoolisme.", ["alcoolisme"]),
    ("Elle a subi une IVG la semaine dernière.", ["IVG"]),
    ("Il est diabétique insulino-dépendant.", ["diabétique"]),
    ("Ma sœur fait des crises d'épilepsie.", ["crises d'épilepsie"]),
    ("Le patient présente une insuffisance rénale chronique.", ["insuffisance rénale chronique"]),
    ("Elle est suivie pour une anorexie mentale.", ["anorexie mentale"]),
    ("Il prend de la Ritaline pour son hyperactivité.", ["Ritaline"]),
    ("Mon conjoint a fait un burn-out l'an dernier et a été arrêté trois mois.", ["burn-out"]),
    ("On lui a diagnostiqué une leucémie à 8 ans.", ["leucémie"]),
    ("Elle souffre d'une dépression post-partum.", ["dépression post-partum"]),
    ("J'ai une allergie aux arachides.", ["allergie aux arachides"]),
    ("Il a la maladie de Crohn.", ["maladie de Crohn"]),
    ("Il est atteint de la maladie de Lyme.", ["maladie de Lyme"]),
    ("Mon oncle a un cancer de la prostate.", ["cancer de la prostate"]),
    ("Elle prend la PrEP.", ["PrEP"]),
    ("Il a reçu un diagnostic de schizophrénie à l'hôpital de Genève.", ["schizophrénie"]),
    ("Je prends du Dafalgan pour ma migraine.", ["Dafalgan", "migraine"]),
    ("Il a un rhumatisme psoriasique.", ["rhumatisme psoriasique"]),
    ("Elle a fait une embolie pulmonaire après l'accouchement.", ["embolie pulmonaire"]),
    ("Mon collègue a un trouble obsessionnel compulsif.", ["trouble obsessionnel compulsif"]),
    ("Ma grand-mère a une DMLA.", ["DMLA"]),
]
TUNING_ROUND_2 = [
    ("My wife was just diagnosed with gestational diabetes at 28 weeks.", ["gestational diabetes"]),
    ("I've had psoriasis flare-ups since starting the new job.", ["psoriasis"]),
    ("He is on warfarin after his valve replacement.", ["warfarin", "valve replacement"]),
    ("Please draft a note: I'm taking two weeks off for knee surgery.", ["knee surgery"]),
    ("The patient reports tinnitus and vertigo.", ["tinnitus", "vertigo"]),
    ("My father is undergoing radiotherapy for throat cancer.", ["radiotherapy", "throat cancer"]),
    ("She suffers from lupus and takes Plaquenil.", ["lupus", "Plaquenil"]),
    ("Our client disclosed he is bipolar and takes Lamictal.", ["bipolar", "Lamictal"]),
    ("I have hay fever every spring and take cetirizine.", ["hay fever", "cetirizine"]),
    ("My son has a peanut allergy and carries an EpiPen.", ["peanut allergy", "EpiPen"]),
    ("She was treated for a brain tumour last year.", ["brain tumour"]),
    ("He has glaucoma in his left eye.", ["glaucoma"]),
    ("The employee has epilepsy and cannot drive.", ["epilepsy"]),
    ("She is seeing a psychiatrist for her eating disorder.", ["eating disorder"]),
    ("He was hospitalized with sepsis after surgery.", ["sepsis"]),
    ("I started Wegovy for weight loss last month.", ["Wegovy"]),
    ("My aunt has COPD and uses oxygen at home.", ["COPD"]),
    (
        "He was diagnosed with prostate cancer and had a prostatectomy.",
        ["prostate cancer", "prostatectomy"],
    ),
    ("She has endometriosis and is considering egg freezing.", ["endometriosis", "egg freezing"]),
    ("Our manager is recovering from a concussion.", ["concussion"]),
    ("Mon mari vient d'apprendre qu'il a un diabète de type 1.", ["diabète de type 1"]),
    ("Elle est traitée pour une hépatite B chronique.", ["hépatite B"]),
    ("Il prend du Kardégic depuis son infarctus.", ["Kardégic", "infarctus"]),
    ("Je serai absent pour une opération du ménisque.", ["opération du ménisque"]),
    ("Ma collègue souffre de fibromyalgie.", ["fibromyalgie"]),
    ("Il est suivi en oncologie pour un lymphome.", ["lymphome"]),
    ("Elle a un glaucome et doit mettre des collyres.", ["glaucome"]),
    ("Mon fils est dyslexique et dyspraxique.", ["dyslexique", "dyspraxique"]),
    ("Il a été opéré d'une hernie inguinale.", ["hernie inguinale"]),
    ("Elle prend de l'Euthyrox pour sa thyroïde.", ["Euthyrox"]),
    ("Le salarié est atteint de la maladie de Charcot.", ["maladie de Charcot"]),
    (
        "Ma mère a une polyarthrite rhumatoïde et prend du méthotrexate.",
        ["polyarthrite rhumatoïde", "méthotrexate"],
    ),
    ("Il fait de l'hypertension et prend de l'amlodipine.", ["hypertension", "amlodipine"]),
    ("J'ai une intolérance au lactose.", ["intolérance au lactose"]),
    ("Elle est en rémission d'un cancer de l'ovaire.", ["cancer de l'ovaire"]),
    ("Mon frère est schizophrène et vit en foyer.", ["schizophrène"]),
    ("Il a contracté le paludisme au Cameroun.", ["paludisme"]),
    ("Elle a accouché par césarienne.", ["césarienne"]),
    ("Il souffre d'apnée du sommeil et dort avec une PPC.", ["apnée du sommeil"]),
    ("Mon père a fait un AVC ischémique.", ["AVC"]),
]
HELD_OUT = [
    ("Hi team, Sarah will be out next week for her gallbladder removal.", ["gallbladder removal"]),
    ("Claim #5512: member treated for a ruptured appendix on 3 May.", ["ruptured appendix"]),
    ("He mentioned his OCD makes open-plan offices hard, according to his therapist.", ["OCD"]),
    (
        "Can you rewrite this: I was off sick with shingles, my doctor signed the note.",
        ["shingles"],
    ),
    ("Applicant has a history of kidney stones and gout.", ["kidney stones", "gout"]),
    ("My partner has fibromyalgia and chronic fatigue.", ["fibromyalgia"]),
    ("The driver is on methadone maintenance.", ["methadone"]),
    ("She uses an insulin pump for her diabetes.", ["insulin pump", "diabetes"]),
    ("He needs a kidney transplant and is on the waiting list.", ["kidney transplant"]),
    ("Our volunteer has Tourette's and asked us to tell the group.", ["Tourette's"]),
    ("I was diagnosed with melanoma on my back.", ["melanoma"]),
    ("He has a pacemaker fitted after heart block, per the cardiologist.", ["pacemaker"]),
    ("She takes Keppra twice a day.", ["Keppra"]),
    ("My grandmother has osteoporosis and broke her hip.", ["osteoporosis"]),
    ("Employee disclosed alcohol dependence during the review.", ["alcohol dependence"]),
    ("He had a panic attack at the office; the nurse saw him.", ["panic attack"]),
    ("Patient allergic to penicillin, noted by the doctor.", ["penicillin"]),
    ("The intern has cystic fibrosis.", ["cystic fibrosis"]),
    ("My husband is recovering from a hip replacement.", ["hip replacement"]),
    ("She has been prescribed Ritalin.", ["Ritalin"]),
    ("Bonjour, je serai absente demain pour ma séance de dialyse.", ["dialyse"]),
    ("Le client a une maladie de Hashimoto.", ["maladie de Hashimoto"]),
    ("Mon fils a une otite et de la fièvre, le médecin passe ce soir.", ["otite"]),
    ("Ma femme a un cancer du pancréas.", ["cancer du pancréas"]),
    ("Il prend du Xanax pour dormir.", ["Xanax"]),
    ("Elle a une sclérodermie.", ["sclérodermie"]),
    ("Il a fait une embolie pulmonaire l'hiver dernier.", ["embolie pulmonaire"]),
    (
        "Mon collègue est en rééducation après une rupture du tendon d'Achille, dit son kiné.",
        ["rupture du tendon d'Achille"],
    ),
    ("Elle suit un traitement hormonal pour la ménopause.", ["ménopause"]),
    ("Il est sous Subutex depuis deux ans.", ["Subutex"]),
    ("La salariée a une hernie discale et ne peut pas porter de charges.", ["hernie discale"]),
    ("Il a la maladie de Basedow.", ["maladie de Basedow"]),
    ("Ma mère est atteinte de démence.", ["démence"]),
    ("Il a une cirrhose du foie.", ["cirrhose"]),
    ("Elle a eu un zona ophtalmique, soigné à l'hôpital.", ["zona"]),
    ("Mon voisin a une hépatite C.", ["hépatite C"]),
    ("Le joueur souffre d'une pubalgie.", ["pubalgie"]),
    ("Elle a un trouble du spectre autistique.", ["trouble du spectre autistique"]),
    ("Il a été placé sous oxygène pour une BPCO.", ["BPCO"]),
    ("Notre stagiaire est malvoyante.", ["malvoyante"]),
]


def recall(sentences: list[tuple[str, list[str]]]) -> tuple[float, list[str]]:
    total = 0
    misses: list[str] = []
    for text, terms in sentences:
        spans = find(text)
        for term in terms:
            start = text.index(term)
            end = start + len(term)
            total += 1
            if not any(s.start < end and start < s.end for s in spans):
                misses.append(term)
    return 1 - len(misses) / total, misses


# Written after the German and Italian lexicons, by their author, and measured once: 95.9 %
# (misses "broncopneumopatia cronica", "calcolosi renale", left in on purpose).
HELD_OUT_DE_IT = [
    (
        "Mein Mann hat seit Jahren eine Niereninsuffizienz und wartet auf eine Spenderniere.",
        ["Niereninsuffizienz", "Spenderniere"],
    ),
    ("Sie ist nach der Geburt an einer Wochenbettdepression erkrankt.", ["Wochenbettdepression"]),
    ("Mein Kollege fehlt wegen eines Bandscheibenvorfalls.", ["Bandscheibenvorfalls"]),
    (
        "Unsere Tochter hat Neurodermitis und eine Erdnussallergie.",
        ["Neurodermitis", "Erdnussallergie"],
    ),
    ("Er ist seit dem Unfall querschnittsgelähmt.", ["querschnittsgelähmt"]),
    (
        "Sie bekommt Methotrexat gegen die rheumatoide Arthritis.",
        ["Methotrexat", "rheumatoide Arthritis"],
    ),
    ("Mein Grossvater hat Alzheimer und Diabetes.", ["Alzheimer", "Diabetes"]),
    (
        "Er hat Hodenkrebs und beginnt nächste Woche mit der Bestrahlung.",
        ["Hodenkrebs", "Bestrahlung"],
    ),
    ("Sie hatte einen Kaiserschnitt und danach eine Thrombose.", ["Kaiserschnitt", "Thrombose"]),
    (
        "Mein Bruder ist spielsüchtig und macht eine Suchttherapie.",
        ["spielsüchtig", "Suchttherapie"],
    ),
    ("Sie hat Tinnitus seit dem Hörsturz.", ["Tinnitus", "Hörsturz"]),
    ("Er nimmt Marcoumar wegen Vorhofflimmern.", ["Marcoumar", "Vorhofflimmern"]),
    ("Die Diagnose lautet Gebärmutterhalskrebs.", ["Gebärmutterhalskrebs"]),
    ("Sie leidet unter einer Essstörung.", ["Essstörung"]),
    ("Er hat eine Zwangsstörung und nimmt Fluoxetin.", ["Zwangsstörung", "Fluoxetin"]),
    ("Mia nonna ha l'Alzheimer e l'osteoporosi.", ["Alzheimer", "osteoporosi"]),
    ("Mio marito è in lista d'attesa per un trapianto di fegato.", ["trapianto di fegato"]),
    ("La collega è a casa per una frattura al polso, dice il medico.", ["frattura"]),
    ("Mio figlio ha la dislessia e l'ADHD.", ["dislessia", "ADHD"]),
    ("Ha un linfoma e fa la radioterapia.", ["linfoma", "radioterapia"]),
    ("Prende il Coumadin per la fibrillazione atriale.", ["Coumadin", "fibrillazione atriale"]),
    ("Sono in cura per un disturbo bipolare e prendo il litio.", ["disturbo bipolare", "litio"]),
    ("Mia sorella ha avuto un aborto spontaneo.", ["aborto spontaneo"]),
    ("Ha la broncopneumopatia cronica e usa l'ossigeno.", ["broncopneumopatia cronica"]),
    ("Soffre di emicrania e prende il sumatriptan.", ["emicrania", "sumatriptan"]),
    ("Il paziente è tetraplegico dopo l'incidente.", ["tetraplegico"]),
    ("Ha l'epatite C e la cirrosi.", ["epatite C", "cirrosi"]),
    ("È alcolizzato, dice il suo medico di famiglia.", ["alcolizzato"]),
    (
        "Mia madre ha la pressione alta e il colesterolo alto.",
        ["pressione alta", "colesterolo alto"],
    ),
    ("Ha una calcolosi renale e una gastrite cronica.", ["calcolosi renale", "gastrite"]),
]


def test_recall_on_tuning_sentences() -> None:
    value, misses = recall(TUNING_ROUND_1 + TUNING_ROUND_2)
    assert value >= 0.95, misses


def test_recall_on_held_out_sentences() -> None:
    value, misses = recall(HELD_OUT)
    assert value >= 0.8, misses


def test_recall_on_held_out_german_italian_sentences() -> None:
    value, misses = recall(HELD_OUT_DE_IT)
    assert value >= 0.9, misses


def main() -> None:
    for name, sentences in (
        ("exact-span sentences", [(t, e) for t, e in EXACT]),
        ("German and Italian exact-span sentences", EXACT_DE_IT),
        ("tuning round 1 (held out when first measured)", TUNING_ROUND_1),
        ("tuning round 2 (held out when first measured)", TUNING_ROUND_2),
        ("held out", HELD_OUT),
        ("held out, German and Italian", HELD_OUT_DE_IT),
    ):
        value, misses = recall(sentences)
        terms = sum(len(t) for _, t in sentences)
        print(f"{name}: recall {value:.3f} over {terms} terms; misses: {misses}")
    negatives = NEGATIVES + NEGATIVES_DE_IT
    flagged = [t for t in negatives if found(t)]
    print(f"negatives flagged: {len(flagged)}/{len(negatives)} {flagged}")


if __name__ == "__main__":
    main()


def test_fold_keeps_length_and_trie_matches_exactly() -> None:
    import re

    from hypothesis import given
    from hypothesis import strategies as st

    from privacy_guard.detect.recognizers.wordtrie import fold, trie_pattern

    @given(st.text())
    def same_length(text: str) -> None:
        assert len(fold(text)) == len(text) == len(fold(text, keep_case=True))

    same_length()
    assert fold("İstanbul ß Œdème – Crohn’s") == "istanbul ß œdeme   crohn's"
    words = ["cancer", "cancer du sein", "can", "type 2 diabetes"]
    pattern = re.compile(rf"(?:{trie_pattern(words)})\Z")
    for word in words:
        assert pattern.match(word.replace(" ", "  "))
    for other in ["canc", "cancer du", "type 2", "ca"]:
        assert not pattern.match(other)
